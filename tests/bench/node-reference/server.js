// server.js: the signalling server of "Chat via P2P", as the article
// writes it, so that bench-signal can measure it side by side with
// confab-signal.
//
// Copyright 2026 The Confab authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node server.js [PORT]        (or PORT=3000 node server.js)
//
// Faithful to the article on every point that costs or shows: the npm
// `websocket` package, users in an array searched linearly by findUser
// (twice for every relayed message: once for data.name, once for
// data.target), JSON.parse with no guard, a reply built with
// JSON.stringify, the close handler's forEach and splice.  Three changes,
// none of which touch the protocol:
//
// - the article's console.log(data) of every message is off unless
//   --log-messages is given: printing a 2 KiB object per relay would
//   dominate the cost and measure the terminal, not the server;
// - the port comes from argv or $PORT (default 3000, as in the article),
//   and 0 picks a free one; the "listening" line names the real port so
//   scripts can read it;
// - it listens on 127.0.0.1 (or $HOST) rather than every interface: it is
//   a benchmark reference, not a service.

const { log } = require("console");

const http = require("http");

const Socket = require("websocket").server;

const args = process.argv.slice(2);
const logMessages = args.includes("--log-messages");
const portArg = args.find(arg => !arg.startsWith("--"));
const port = Number(portArg ?? process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";

const server = http.createServer(() => {});

server.listen(port, host, () => {
  log("listening on server " + server.address().port);
});

const webSocket = new Socket({ httpServer: server });

// array contains user name and there connection objects

const users = [];

webSocket.on("request", req => {
  const connection = req.accept();

  connection.on("message", message => {
    const data = JSON.parse(message.utf8Data);

    if (logMessages) console.log(data);

    const user = findUser(data.name);

    switch (data.type) {
      case "store_user":
        if (user != null) {
          //our user exists

          connection.send(
            JSON.stringify({
              type: "user_already_exists",

              data: data.name,
            })
          );

          log("user already existed returning");

          return;
        }

        const newUser = {
          name: data.name,
          conn: connection,
        };

        try {
          connection.send(
            JSON.stringify({
              type: "user_stored",

              data: data.name,
            })
          );

          log("user added");
        } catch (error) {
          log("error adding -> ", error);
        }

        users.push(newUser);

        break;

      case "start_transfer":
        let userToCall = findUser(data.target);

        if (userToCall) {
          connection.send(
            JSON.stringify({
              type: "transfer_response",
              data: userToCall.name,
            })
          );
        } else {
          connection.send(
            JSON.stringify({
              type: "transfer_response",
              data: null,
            })
          );
        }

        break;

      case "create_offer":
        let userToReceiveOffer = findUser(data.target);

        if (userToReceiveOffer) {
          userToReceiveOffer.conn.send(
            JSON.stringify({
              type: "offer_received",

              name: data.name,

              data: data.data.sdp,
            })
          );
        }

        break;

      case "create_answer":
        let userToReceiveAnswer = findUser(data.target);

        if (userToReceiveAnswer) {
          userToReceiveAnswer.conn.send(
            JSON.stringify({
              type: "answer_received",

              name: data.name,

              data: data.data.sdp,
            })
          );
        }

        break;

      case "ice_candidate":
        let userToReceiveIceCandidate = findUser(data.target);

        if (userToReceiveIceCandidate) {
          userToReceiveIceCandidate.conn.send(
            JSON.stringify({
              type: "ice_candidate",

              name: data.name,

              data: {
                sdpMLineIndex: data.data.sdpMLineIndex,

                sdpMid: data.data.sdpMid,

                sdpCandidate: data.data.sdpCandidate,
              },
            })
          );
        }

        break;
    }
  });

  connection.on("close", () => {
    users.forEach(user => {
      if (user.conn === connection) {
        users.splice(users.indexOf(user), 1);
      }
    });
  });

  connection.on("error", err => {
    log("error on socket, ", err);
  });
});

const findUser = username => {
  for (let i = 0; i < users.length; i++) {
    if (users[i].name === username) return users[i];
  }
};
