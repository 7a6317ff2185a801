/**
 * Whether a process exists (the client's, named in initialize): signal 0 checks without sending anything. A
 * process of another user answers EPERM, and exists.
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
