/**
 * The pool's control block: an Int32Array over a SharedArrayBuffer that the calling thread and every
 * worker see. One job runs at a time; a job is "call export FN of family MOD of runtime RT with ARGS
 * over chunks [0, NCHUNK) of a range". Layout in 32-bit words:
 */
export const GEN = 0; // bumped for every job or wake-up; idle workers Atomics.wait on it
export const CMD = 1; // what the bump means (CMD_*)
export const TICKET = 2; // (GEN & 0xffff) << 16 | next chunk; taken by compare-and-swap
export const DONE = 3; // chunks finished in this job; the thread that finishes the last one notifies
export const NCHUNK = 4;
export const TOTAL = 5; // the range [0, TOTAL) being split
export const CHUNK = 6; // elements of the range per chunk
export const RT = 7; // runtime id (one pool may serve several runtimes, each with its own memory)
export const MOD = 8; // kernel family index
export const FN = 9; // export index within the family's module
export const NARGS = 10;
export const ERR = 11; // set when a chunk threw in a worker
export const SLEEPERS = 12; // workers inside Atomics.wait: the caller skips Atomics.notify (costly in browsers) when none are
export const SPIN_US = 13; // µs a worker spins on GEN after a job before it sleeps (set by the pool)
export const MAILBOX = 16; // MAILBOX + w: messages posted to worker w so far
export const MAX_WORKERS = 32;
/** Float64 arguments start at this byte offset. */
export const ARGS_BYTE = (MAILBOX + MAX_WORKERS) * 4;
export const MAX_ARGS = 16;
export const CONTROL_BYTES = ARGS_BYTE + MAX_ARGS * 8;
/** A ticket holds 16 bits of chunk index; 0xffff marks a closed ticket, so a job has fewer chunks. */
export const MAX_CHUNKS = 0xffff;

export const CMD_JOB = 1;
export const CMD_MAIL = 2; // nothing to run: check the mailbox
export const CMD_EXIT = 3;

/** Messages from the calling thread to a worker. */
export type ToWorker =
  | { type: 'init'; control: SharedArrayBuffer; index: number }
  | { type: 'attach'; rt: number; memory: WebAssembly.Memory; variant: string }
  | { type: 'detach'; rt: number }
  | { type: 'module'; variant: string; family: number; module: WebAssembly.Module };

/** Messages from a worker back. */
export type FromWorker = { type: 'ready'; index: number } | { type: 'attached'; rt: number; index: number } | { type: 'error'; index: number; message: string };
