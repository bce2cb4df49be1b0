// Pages that redraw when what they show changes. A page's load runs one at
// a time: a change that arrives during a run asks for one more run after it,
// so an older answer can never be drawn over a newer one; and it ends with
// the page: after the cleanup nothing runs, not even a run already waiting.

import { subscribe, onReconnect } from "./realtime.js";
import { onDataChange } from "./sync.js";

// The runs in progress, of every page, on body[data-loads]: "0" once every
// answer asked for has been drawn (or dropped with its page). Tests wait on
// it before saying that a late answer changed nothing.
let inFlight = 0;
function loads(d) {
  inFlight += d;
  document.body.dataset.loads = String(inFlight);
}

/**
 * Wraps load (async, no arguments) so that calls coalesce: the returned
 * trigger schedules a run after ms; trigger.now() runs at once (or right
 * after the run in progress) and resolves when that run has drawn;
 * trigger.stop() ends it for good.
 */
export function serial(load, ms = 0) {
  let running = null; // the run in progress
  let again = null; // the promise of the run asked for during it
  let stopped = false;
  let timer = 0;
  function now() {
    if (stopped) return Promise.resolve();
    if (running) {
      again ||= running.then(() => {
        again = null;
        return now();
      });
      return again;
    }
    loads(+1);
    running = Promise.resolve()
      .then(load)
      .catch((e) => console.error(e))
      .finally(() => {
        running = null;
        loads(-1);
      });
    return running;
  }
  const trigger = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(now, ms);
  };
  trigger.now = now;
  trigger.stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  return trigger;
}

/**
 * Re-runs load (serially, 300 ms after the last change) when a record of
 * one of the realtime topics changes or the connection comes back. Returns
 * the page's cleanup; its .now() runs load at once in the same series (for
 * the first drawing and for reloads after the user's own writes).
 */
export function live(load, topics = ["applications/*", "talks/*", "feedback/*"]) {
  const again = serial(load, 300);
  const offs = topics.map((t) => subscribe(t, again));
  offs.push(onReconnect(again));
  const cleanup = () => {
    again.stop();
    offs.forEach((f) => f());
  };
  cleanup.now = again.now;
  return cleanup;
}

/**
 * Re-runs draw (serially) when the tablet's copy of one of the collections
 * changes. Returns the page's cleanup, with .now() as in live.
 */
export function liveLocal(draw, collections) {
  const again = serial(draw);
  const off = onDataChange((changed) => changed.some((c) => collections.includes(c)) && again.now());
  const cleanup = () => {
    again.stop();
    off();
  };
  cleanup.now = again.now;
  return cleanup;
}
