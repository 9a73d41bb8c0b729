// The terminal prompt for an MFA code when the script gives no callback, as upstream asks:
// its exact question, hidden input on a terminal (nothing is echoed), one line from standard
// input when that is a pipe or file. A closed input is a named error, never a hang.
import { createInterface } from "node:readline";

function named(name, message) {
  const error = new Error(message);
  error.name = name;
  error.resolution = "Run the seed in a terminal, pipe the code to its standard input, or pass a challenge callback.";
  error.classification = "ERROR";
  return error;
}

/** Reads one line from a terminal in raw mode without echoing it. */
function readHidden(input, output) {
  return new Promise((resolve, reject) => {
    let typed = "";
    const wasRaw = input.isRaw;
    const finish = (settle) => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.setRawMode(wasRaw);
      release(input);
      output.write("\n");
      settle();
    };
    const onEnd = () => finish(() => reject(named("PromptClosedError", "Standard input closed before a code was entered.")));
    const onData = (chunk) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish(() => resolve(typed));
        if (char === "\u0003") return finish(() => reject(named("PromptCancelledError", "The prompt was cancelled (Ctrl+C).")));
        if (char === "\u0004") return onEnd();
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.setRawMode(true);
    input.ref?.();
    input.resume();
    input.on("data", onData);
    input.on("end", onEnd);
  });
}

/** Stops reading and lets the process exit even though standard input is still open. */
function release(input) {
  input.pause();
  input.unref?.();
}

/**
 * Lines of a piped standard input, shared by every prompt of the process: lines that arrive
 * together (`printf '111\n222\n' | ...`) are kept for the next prompts, not lost.
 */
const pipedLines = new WeakMap();

function linesOf(input) {
  let reader = pipedLines.get(input);
  if (!reader) {
    reader = { queued: [], waiting: [], closed: false };
    const lines = createInterface({ input, terminal: false });
    lines.on("line", (line) => {
      const waiter = reader.waiting.shift();
      if (waiter) waiter.resolve(line);
      else reader.queued.push(line);
      if (reader.waiting.length === 0) release(input);
    });
    lines.on("close", () => {
      reader.closed = true;
      for (const waiter of reader.waiting.splice(0)) waiter.reject(named("PromptClosedError", "Standard input closed before a code was entered."));
    });
    pipedLines.set(input, reader);
  }
  return reader;
}

/** Reads the next line of a piped standard input. */
function readLine(input) {
  const reader = linesOf(input);
  if (reader.queued.length > 0) return Promise.resolve(reader.queued.shift());
  if (reader.closed) return Promise.reject(named("PromptClosedError", "Standard input closed before a code was entered."));
  return new Promise((resolve, reject) => {
    reader.waiting.push({ resolve, reject });
    input.ref?.();
    input.resume();
  });
}

export async function promptSecret(message, { input = process.stdin, output = process.stdout } = {}) {
  output.write(`${message} `);
  const answer = input.isTTY ? await readHidden(input, output) : await readLine(input);
  return answer.trim();
}
