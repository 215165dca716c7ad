// Scripts the Chromium fetcher runs in pages to tell when a page has settled (see fetch/settle.py).
// Two function expressions, each introduced by a `//# name` line; settle.py reads them at import.

//# timer_watch
// Installed before the page's own scripts: notes when each setTimeout callback is due (string
// handlers too), so "render the story 300 ms after load", or a timer set during parsing that
// falls due after load, is waited for rather than raced. The Proxies keep the natives' name,
// length, toString and prototype-lessness, so the page sees nothing unusual; its timers run as
// before. Everything settle needs is captured here, before page scripts can replace it.
() => {
  const key = Symbol.for("watcher.settle");
  if (Object.prototype.hasOwnProperty.call(window, key)) return;
  const apply = Reflect.apply, now = performance.now.bind(performance);
  const nativeSet = window.setTimeout, nativeClear = window.clearTimeout;
  const due = new Map();  // timer id -> performance.now() when its callback runs
  let ran = -Infinity;  // when a callback last ran: a fetch it started is reported a little later
  const forget = (id) => { try { due.delete(Number(id)); } catch (e) {} };
  window.setTimeout = new Proxy(nativeSet, { apply(target, self, args) {
    let ms = 0;
    try { ms = Math.max(0, +args[1] | 0); } catch (e) {}
    const handler = args[0];
    let id;
    if (typeof handler === "function") {
      args[0] = function () { ran = now(); forget(id); return apply(handler, this, arguments); };
      id = apply(target, window, args);
    } else {
      id = apply(target, window, args);
      apply(target, window, [() => { ran = now(); forget(id); }, ms]);  // right after the string handler
    }
    due.set(id, now() + ms);
    return id;
  } });
  const clearing = (native) => new Proxy(native, { apply(target, self, args) {
    forget(args[0]);
    return apply(target, window, args);
  } });
  window.clearTimeout = clearing(nativeClear);
  window.clearInterval = clearing(window.clearInterval);  // browsers let it clear a timeout too
  // The page's HTML as Playwright's page.content() serializes it, from natives captured here, in the page's own
  // world: content() first builds a second JavaScript world in the page, a third of a render's reading time.
  const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
  const rootOf = getter(Document.prototype, "documentElement"), doctypeOf = getter(Document.prototype, "doctype");
  const outerOf = getter(Element.prototype, "outerHTML");
  const Serializer = window.XMLSerializer, serialize = Serializer.prototype.serializeToString;
  Object.defineProperty(window, key, { value: Object.freeze({
    // Busy: a callback is due before `moment`, or one ran under 50 ms ago. With routing on,
    // Playwright reports a request only once the browser has paused it, so a fetch() a timer just
    // started can reach us after the renderer has called the page still.
    busy(moment) {
      if (now() - ran < 50) return true;
      for (const at of due.values()) { if (at <= moment) return true; }
      return false;
    },
    later: (fn, ms) => apply(nativeSet, window, [fn, ms]),
    cancel: (id) => apply(nativeClear, window, [id]),
    Observer: window.MutationObserver,
    now,
    html() {
      const doctype = apply(doctypeOf, document, []), root = apply(rootOf, document, []);
      return (doctype ? apply(serialize, new Serializer(), [doctype]) : "") + (root ? apply(outerOf, root, []) : "");
    },
  }) });
}

//# still_page
// Resolves once the document has gone `quiet` ms without a node or text change and no timer is due
// before the cap, or after `most` ms. Attribute changes do not count: carousels flip classes
// forever. Awaits a plain thenable so a page that replaced Promise cannot change the result.
async ([quiet, most]) => {
  const state = window[Symbol.for("watcher.settle")] || {
    busy: () => false, later: (fn, ms) => setTimeout(fn, ms), cancel: (id) => clearTimeout(id),
    Observer: MutationObserver, now: () => performance.now(),
  };
  const capAt = state.now() + most;
  await { then(resolve) {
    let timer = 0, cap = 0, done = false;
    const finish = () => {
      if (done) return;
      done = true;
      observer.disconnect();
      state.cancel(timer);
      state.cancel(cap);
      resolve();
    };
    const check = () => { if (state.busy(capAt)) { timer = state.later(check, 25); } else { finish(); } };
    const observer = new state.Observer(() => { state.cancel(timer); timer = state.later(check, quiet); });
    observer.observe(document, { childList: true, subtree: true, characterData: true });
    timer = state.later(check, quiet);
    cap = state.later(finish, most);
  } };
  return true;
}

//# page_html
// The page's HTML by the natives timer_watch captured; null where it did not run (the caller asks content()).
() => {
  const state = window[Symbol.for("watcher.settle")];
  return state && typeof state.html === "function" ? state.html() : null;
}
