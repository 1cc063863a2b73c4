"use strict";
// The view side of MCP Apps (spec 2026-01-26), shared by every anam-mcp view and inlined into each one.
// JSON-RPC 2.0 over postMessage with the host: initialize, tool input and results, theme, size, teardown.
// Also the DOM helpers every view uses, so that data from Anam only ever lands as text or http(s) URLs.
const view = (() => {
  const PROTOCOL_VERSION = "2026-01-26";
  const TIMEOUT_MS = 30000;
  const pending = new Map();
  const notifications = new Map();
  let nextId = 1;
  let capabilities = {};
  let teardown = async () => {};

  const post = (message) => window.parent.postMessage(message, "*");

  window.addEventListener("message", (event) => {
    // The host (or its sandbox proxy) is our parent; its origin is the host's own, so check the source.
    if (event.source !== window.parent) return;
    const message = event.data;
    if (!message || typeof message !== "object" || message.jsonrpc !== "2.0") return;
    if (message.method === undefined) settle(message);
    else if (message.id !== undefined) answer(message);
    else notifications.get(message.method)?.(message.params || {});
  });

  function settle(response) {
    const waiting = pending.get(response.id);
    if (!waiting) return;
    pending.delete(response.id);
    clearTimeout(waiting.timer);
    if (response.error) waiting.reject(new Error(response.error.message || "The host refused the request."));
    else waiting.resolve(response.result || {});
  }

  async function answer(request) {
    const reply = (body) => post({ jsonrpc: "2.0", id: request.id, ...body });
    if (request.method === "ping") return reply({ result: {} });
    if (request.method !== "ui/resource-teardown") {
      return reply({ error: { code: -32601, message: "Method not found" } });
    }
    try {
      await teardown();
    } catch {
      // The host removes the view either way; what matters is that it hears back.
    }
    reply({ result: {} });
  }

  function request(method, params) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (pending.delete(id)) reject(new Error(`The host did not answer ${method}.`));
      }, TIMEOUT_MS);
      pending.set(id, { resolve, reject, timer });
      post({ jsonrpc: "2.0", id, method, params });
    });
  }

  function notify(method, params) {
    post(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params });
  }

  // Theme: the host's light/dark choice, its CSS variables (base.css falls back on its own) and fonts.
  function applyHostContext(context) {
    const root = document.documentElement;
    if (context.theme === "light" || context.theme === "dark") {
      root.dataset.theme = context.theme;
      root.style.colorScheme = context.theme;
    }
    const variables = context.styles?.variables;
    if (variables && typeof variables === "object") {
      for (const [name, value] of Object.entries(variables)) {
        if (name.startsWith("--") && typeof value === "string") root.style.setProperty(name, value);
      }
    }
    const fonts = context.styles?.css?.fonts;
    if (typeof fonts === "string" && !document.getElementById("host-fonts")) {
      document.head.append(el("style", { id: "host-fonts", text: fonts }));
    }
  }

  // Size: tell the host the content's height whenever it changes, once per frame at most.
  let reported = { width: 0, height: 0 };
  let queued = false;
  function reportSize() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const root = document.documentElement;
      const before = root.style.height;
      root.style.height = "max-content";
      const height = Math.ceil(root.getBoundingClientRect().height);
      root.style.height = before;
      const width = Math.ceil(window.innerWidth);
      if (width === reported.width && height === reported.height) return;
      reported = { width, height };
      notify("ui/notifications/size-changed", { width, height });
    });
  }

  /**
   * Connect to the host. `handlers` may have toolInput(arguments), toolResult(result), cancelled(reason)
   * and teardown(); they are registered before `ui/initialize`, as the host sends the tool's input and
   * result right after `ui/notifications/initialized`.
   */
  async function start(name, handlers) {
    notifications.set("ui/notifications/tool-input", (p) => handlers.toolInput?.(p.arguments || {}));
    notifications.set("ui/notifications/tool-result", (p) => handlers.toolResult?.(p));
    notifications.set("ui/notifications/tool-cancelled", (p) => handlers.cancelled?.(p.reason));
    notifications.set("ui/notifications/host-context-changed", applyHostContext);
    if (handlers.teardown) teardown = handlers.teardown;
    const version = document.querySelector('meta[name="anam-mcp-version"]')?.content || "0";
    const init = await request("ui/initialize", {
      protocolVersion: PROTOCOL_VERSION,
      appInfo: { name, version },
      appCapabilities: { availableDisplayModes: ["inline"] },
    });
    capabilities = init.hostCapabilities || {};
    applyHostContext(init.hostContext || {});
    notify("ui/notifications/initialized");
    const observer = new ResizeObserver(reportSize);
    observer.observe(document.documentElement);
    observer.observe(document.body);
    reportSize();
  }

  /** Call one of this server's tools through the host; resolves to its CallToolResult. */
  function callTool(name, args) {
    return request("tools/call", { name, arguments: args });
  }

  /**
   * Tell the conversation about the user's choice: silently through the model's context where the host
   * allows it, else as a message from the user. Resolves to "context", "message", or null if neither.
   */
  async function choose({ context, message, structured }) {
    if (capabilities.updateModelContext) {
      const content = [{ type: "text", text: context }];
      await request("ui/update-model-context", { content, structuredContent: structured });
      return "context";
    }
    if (capabilities.message) {
      await request("ui/message", { role: "user", content: [{ type: "text", text: message }] });
      return "message";
    }
    return null;
  }

  /** The error text of a failed tool result, or null when it succeeded. */
  function errorOf(result) {
    if (!result || !result.isError) return null;
    const texts = (result.content || []).filter((c) => c && c.type === "text").map((c) => c.text);
    return texts.join(" ") || "The tool failed without saying why.";
  }

  return {
    start,
    callTool,
    choose,
    errorOf,
    canCallTools: () => Boolean(capabilities.serverTools),
    sandbox: () => capabilities.sandbox || {},
  };
})();

/** An element: `props.text` becomes its text, `props.class` its class, other props its attributes. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** `value` if it is an absolute http(s) URL, else null: nothing else goes into a src attribute. */
function httpUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Show `text` in the element with id `id`, or hide it when `text` is empty. */
function show(id, text) {
  const node = document.getElementById(id);
  node.textContent = text || "";
  node.hidden = !text;
}
