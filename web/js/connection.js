// The Socket.IO connection of a session and the status line that shows it (Connecting…,
// Connected, Reconnecting…, Offline). The official client reconnects by itself; `onConnect`
// is told whether this is a reconnection and whether the server recovered the session (then
// every missed receive_message comes by itself).
import { io } from "../socket.io.esm.min.js";

const TEXT = { connecting: "Connecting…", connected: "Connected", reconnecting: "Reconnecting…", offline: "Offline" };

export class Connection {
  // onConnect({again, recovered}); onUnauthorized(); pushes: {event: handler}.
  constructor({ token, status, onConnect, onUnauthorized, pushes }) {
    this.status = status;
    this.everConnected = false;
    this.timers = [];
    this.setState("connecting");
    const socket = (this.socket = io({ auth: { token } }));
    socket.on("connect", () => {
      this.setState("connected");
      document.body.dataset.transport = socket.io.engine.transport.name;
      socket.io.engine.once("upgrade", (transport) => (document.body.dataset.transport = transport.name));
      const again = this.everConnected;
      this.everConnected = true;
      onConnect({ again, recovered: socket.recovered });
    });
    socket.on("disconnect", (reason) => {
      if (reason === "io server disconnect") {
        // Told to go (not for a bad token: that comes with an "Unauthorized" error first).
        this.timers.push(setTimeout(() => !socket.connected && this.socket && socket.connect(), 1000));
      }
      this.setState("reconnecting");
    });
    socket.on("connect_error", (error) => {
      if (error?.message === "Unauthorized") return onUnauthorized();
      this.setState(this.everConnected ? "reconnecting" : "connecting");
    });
    socket.io.on("reconnect_attempt", () => this.setState("reconnecting"));
    socket.on("error", (payload) => {
      // At connect with a bad token, or when the token expires during the connection. Other
      // errors also come as the ack of the request that caused them, and are handled there.
      if (payload?.code === "UNAUTHORIZED" || payload?.message === "Unauthorized") onUnauthorized();
    });
    for (const [event, handler] of Object.entries(pushes)) socket.on(event, handler);
    this.onOffline = () => this.setState("offline");
    this.onOnline = () => this.setState(socket.connected ? "connected" : "reconnecting");
    window.addEventListener("offline", this.onOffline);
    window.addEventListener("online", this.onOnline);
  }

  setState(state) {
    if (!navigator.onLine && state !== "connected") state = "offline";
    this.status.dataset.state = state;
    this.status.textContent = TEXT[state];
  }

  close() {
    for (const timer of this.timers) clearTimeout(timer);
    window.removeEventListener("offline", this.onOffline);
    window.removeEventListener("online", this.onOnline);
    const socket = this.socket;
    this.socket = null;
    socket.removeAllListeners();
    socket.io.removeAllListeners();
    socket.disconnect();
  }
}
