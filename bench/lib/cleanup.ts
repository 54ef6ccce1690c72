/** Undo steps for a benchmark, run in reverse order on success, failure and Ctrl-C alike. */

export type UndoStep = () => unknown | Promise<unknown>;

/** A stack of undo steps: servers to stop, databases to drop, folders to remove. */
export class Cleanup {
  private readonly steps: { label: string; undo: UndoStep }[] = [];

  /** Registers `undo` to run at the end; later steps run first, so a server stops before its database is dropped. */
  defer(label: string, undo: UndoStep): void {
    this.steps.push({ label, undo });
  }

  /** Runs every step once; a failing step is reported and does not stop the others. */
  async run(): Promise<void> {
    while (this.steps.length > 0) {
      const { label, undo } = this.steps.pop()!;
      try {
        await undo();
      } catch (error) {
        console.error(`bench: cleanup "${label}" failed: ${(error as Error).message ?? error}`);
      }
    }
  }
}

/**
 * Runs `body` with a fresh Cleanup and always runs it afterwards. SIGINT and SIGTERM also run it before exiting,
 * because a benchmark interrupted by hand must not leave a server or a database behind.
 */
export async function withCleanup<T>(body: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\nbench: ${signal}: cleaning up`);
    void cleanup.run().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await body(cleanup);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup.run();
  }
}
