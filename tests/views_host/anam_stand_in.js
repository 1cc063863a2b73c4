// A stand-in for Anam's JS SDK (the global `anam` of its UMD build), served at the pinned CDN URL in tests.
// It records every call in window.anamCalls and plays a painted canvas as the persona's video, so the live
// view can be driven without Anam's servers.
(() => {
  const calls = [];
  window.anamCalls = calls;
  const AnamEvent = {
    CONNECTION_ESTABLISHED: "CONNECTION_ESTABLISHED",
    SESSION_READY: "SESSION_READY",
    VIDEO_PLAY_STARTED: "VIDEO_PLAY_STARTED",
    MESSAGE_HISTORY_UPDATED: "MESSAGE_HISTORY_UPDATED",
    CONNECTION_CLOSED: "CONNECTION_CLOSED",
  };

  function persona() {
    const canvas = Object.assign(document.createElement("canvas"), { width: 480, height: 320 });
    const g = canvas.getContext("2d");
    g.fillStyle = "#c9d8ea";
    g.fillRect(0, 0, 480, 320);
    g.fillStyle = "#4d5d73";
    g.beginPath();
    g.arc(240, 130, 62, 0, 2 * Math.PI);
    g.fill();
    g.beginPath();
    g.ellipse(240, 330, 130, 110, 0, Math.PI, 2 * Math.PI);
    g.fill();
    return canvas.captureStream(5);
  }

  function createClient(sessionToken, options) {
    calls.push({ method: "createClient", sessionToken, options: options ?? null });
    const listeners = new Map();
    const emit = (event, ...args) => (listeners.get(event) || []).forEach((listener) => listener(...args));
    const history = [];
    let streaming = false;
    return {
      addListener(event, listener) {
        listeners.set(event, [...(listeners.get(event) || []), listener]);
      },
      async streamToVideoElement(videoElementId, audioStream) {
        const video = document.getElementById(videoElementId);
        calls.push({
          method: "streamToVideoElement",
          videoElementId,
          isVideoElement: video instanceof HTMLVideoElement,
          withMicrophone: audioStream instanceof MediaStream,
        });
        emit(AnamEvent.CONNECTION_ESTABLISHED);
        video.srcObject = persona();
        await video.play();
        streaming = true;
        emit(AnamEvent.VIDEO_PLAY_STARTED);
      },
      sendUserMessage(content) {
        if (!streaming) throw new Error("Not streaming");
        calls.push({ method: "sendUserMessage", content });
        history.push({ role: "user", content }, { role: "persona", content: `You said: ${content}` });
        emit(AnamEvent.MESSAGE_HISTORY_UPDATED, history.slice());
      },
      async stopStreaming() {
        calls.push({ method: "stopStreaming" });
        streaming = false;
        emit(AnamEvent.CONNECTION_CLOSED, "CONNECTION_CLOSED_CODE_NORMAL");
      },
      isStreaming: () => streaming,
    };
  }

  window.anam = { AnamEvent, createClient };
})();
