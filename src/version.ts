/** The version printed by `tubelet --version` and reported by the API. */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
