// The test host: the official AppBridge from @modelcontextprotocol/ext-apps (bundled at test time), a
// sandbox proxy on another origin, and every message the view sends recorded for the test to inspect.
// Tool calls from the view go to Python (window.pyCallTool, exposed by Playwright) and the real server.
import { AppBridge, PostMessageTransport, buildAllowAttribute } from "/app-bridge.js";

const events = [];
window.hostEvents = events;
const record = (kind, params) => events.push({ kind, params });

// Remove the view and forget what it sent: the next test starts on a clean host.
window.resetHost = async () => {
  await window.bridge?.close();
  window.bridge = undefined;
  document.getElementById("container").replaceChildren();
  events.length = 0;
};

window.mountView = async ({ html, csp, permissions, hostContext, hostCapabilities, toolInput }) => {
  const frame = document.createElement("iframe");
  frame.id = "view";
  frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms");
  const allow = buildAllowAttribute(permissions || {});
  if (allow) frame.setAttribute("allow", allow); // the outer frame must delegate too
  const sandbox = new URL(`http://localhost:${location.port}/sandbox.html`);
  sandbox.searchParams.set("csp", JSON.stringify(csp || {}));
  const proxyReady = new Promise((resolve) => {
    window.addEventListener("message", function ready(event) {
      if (event.source === frame.contentWindow && event.data?.method === "ui/notifications/sandbox-proxy-ready") {
        window.removeEventListener("message", ready);
        resolve();
      }
    });
  });
  frame.src = sandbox.href;
  document.getElementById("container").appendChild(frame);
  await proxyReady;

  const bridge = new AppBridge(null, { name: "anam-mcp-test-host", version: "1.0.0" }, hostCapabilities, { hostContext });
  bridge.oncalltool = async (params) => {
    record("tools/call", params);
    return await window.pyCallTool(params.name, params.arguments || {});
  };
  bridge.onupdatemodelcontext = async (params) => (record("ui/update-model-context", params), {});
  bridge.onmessage = async (params) => (record("ui/message", params), {});
  bridge.onopenlink = async (params) => (record("ui/open-link", params), {});
  bridge.onloggingmessage = (params) => record("notifications/message", params);
  bridge.onsizechange = ({ width, height }) => {
    record("ui/notifications/size-changed", { width, height });
    if (height !== undefined) frame.style.height = `${height}px`;
  };
  const initialized = new Promise((resolve) => {
    bridge.oninitialized = () => (record("initialized", {}), resolve());
  });
  await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
  await bridge.sendSandboxResourceReady({ html, csp, permissions });
  await initialized;
  await bridge.sendToolInput({ arguments: toolInput || {} });
  window.bridge = bridge;
  return { appInfo: bridge.getAppVersion(), appCapabilities: bridge.getAppCapabilities() };
};
window.hostReady = true;
