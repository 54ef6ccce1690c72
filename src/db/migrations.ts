/** The SQL migrations, embedded in the binary as text. Add new files here in order. */
import m0001 from "../../migrations/0001_init.sql" with { type: "text" };
import m0002 from "../../migrations/0002_videos.sql" with { type: "text" };
import m0003 from "../../migrations/0003_p2p.sql" with { type: "text" };
import m0004 from "../../migrations/0004_viewer.sql" with { type: "text" };
import m0005 from "../../migrations/0005_live.sql" with { type: "text" };
import m0006 from "../../migrations/0006_federation.sql" with { type: "text" };
import m0007 from "../../migrations/0007_federation_videos.sql" with { type: "text" };
import m0008 from "../../migrations/0008_federation_interactions.sql" with { type: "text" };
import m0009 from "../../migrations/0009_redundancy.sql" with { type: "text" };
import m0010 from "../../migrations/0010_runners.sql" with { type: "text" };

export interface MigrationFile {
  readonly file: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly MigrationFile[] = [
  { file: "0001_init.sql", sql: m0001 },
  { file: "0002_videos.sql", sql: m0002 },
  { file: "0003_p2p.sql", sql: m0003 },
  { file: "0004_viewer.sql", sql: m0004 },
  { file: "0005_live.sql", sql: m0005 },
  { file: "0006_federation.sql", sql: m0006 },
  { file: "0007_federation_videos.sql", sql: m0007 },
  { file: "0008_federation_interactions.sql", sql: m0008 },
  { file: "0009_redundancy.sql", sql: m0009 },
  { file: "0010_runners.sql", sql: m0010 },
];
