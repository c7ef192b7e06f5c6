/** Progress lines of a bench run, on stderr: stdout carries only the summary. */
export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
