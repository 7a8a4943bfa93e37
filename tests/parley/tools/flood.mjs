// One socket that sends send_message as fast as the server answers (WINDOW unanswered at a
// time) for SECONDS, from one user to another, over WebSocket: the abuse of issue 11 #6.
// Prints what was acknowledged, refused (by code) or left unanswered, and the send rate. Tokens are minted with
// SECRET, so run it against a server started with that --jwt-secret.
//
//   node tests/parley/tools/flood.mjs URL SECRET [SECONDS=10] [WINDOW=2000]
import { randomUUID } from "node:crypto";

import { io, mintToken, nowSeconds } from "../helpers.mjs";

const [url, secret, seconds = "10", window = "2000"] = process.argv.slice(2);
const token = (sub) => mintToken({ sub, name: `flood ${sub.slice(0, 4)}`, exp: nowSeconds() + 3600 }, { secret });
const flooder = randomUUID();
const victim = randomUUID();
const connect = (sub) => new Promise((done, fail) => {
  const socket = io(url, { auth: { token: token(sub) }, transports: ["websocket"], reconnection: false, forceNew: true });
  socket.once("connect", () => done(socket));
  socket.once("connect_error", fail);
});
const [victimSocket, socket] = [await connect(victim), await connect(flooder)];
const end = Date.now() + Number(seconds) * 1000;
let sent = 0, acked = 0, inFlight = 0;
const refused = {};
let disconnected = null;
socket.on("disconnect", (reason) => (disconnected = reason));
await new Promise((done) => {
  // Whatever happens (the server may drop a socket that floods it), stop 5 s after the end.
  const stop = setTimeout(done, Number(seconds) * 1000 + 5000);
  const finish = () => {
    clearTimeout(stop);
    done();
  };
  let scheduled = false;
  const pump = () => {
    scheduled = false;
    while (inFlight < Number(window) && Date.now() < end && socket.connected) {
      inFlight++;
      sent++;
      socket.emit("send_message", { receiverId: victim, content: `flood ${sent}` }, (reply) => {
        inFlight--;
        if (reply?.success) acked++;
        else refused[reply?.code ?? reply?.error] = (refused[reply?.code ?? reply?.error] ?? 0) + 1;
        if (Date.now() < end) {
          if (!scheduled) {
            scheduled = true;
            setImmediate(pump);
          }
        } else if (inFlight === 0) {
          finish();
        }
      });
    }
  };
  pump();
});
console.log(JSON.stringify({
  seconds: Number(seconds), sent, acked, refused, unanswered: inFlight, disconnected,
  sent_per_s: Math.round(sent / Number(seconds)),
}));
socket.disconnect();
victimSocket.disconnect();
