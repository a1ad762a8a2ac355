// A browser peer that behaves like the article's mobile app, on the wire and
// as a WebRTC peer, so Confab can be tested against libwebrtc without a phone.
// Every choice below copies the app (DESIGN.md, "Compatibility facts"); where
// the app would fail or ignore something quietly, we say so instead, so a
// test sees what a phone user would only notice as "it does not connect".
//
// Events go to window.confabEmit(line, false) (the driver) and confab.events:
//   registered NAME | name-taken NAME | offline PEER | offer PEER
//   accepted PEER | declined PEER | channel PEER LABEL | open PEER
//   message PEER: TEXT | closed PEER REASON | ignored TYPE NAME
//   discarded PEER (a candidate from PEER came before we accepted)
//   warning TEXT (the peer or server did something the app would not take)
//   error TEXT
// Diagnostics without protocol meaning go to confabEmit(line, true).
'use strict';

window.confab = (() => {
  const peers = new Map();      // peer name -> one peer connection's state
  const incoming = new Map();   // peer name -> offer SDP awaiting a decision
  const pendingTransfers = [];  // targets of start_transfer, answered in order
  const events = [];
  const received = [];          // { peer, label, text }
  let socket = null;
  let me = null;
  let acceptPolicy = 'ask';

  // A newline would break the driver's line protocol: escape it.
  const oneLine = (s) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

  function show(line) {
    const log = document.getElementById('log');
    if (log) log.textContent += line + '\n';
  }

  function emit(line) {
    events.push(line);
    show(line);
    window.confabEmit?.(line, false);
  }

  function note(line) {
    show('# ' + line);
    window.confabEmit?.(line, true);
  }

  // Gson leaves null fields out, and so do we: no key is ever null.
  function signal(message) {
    for (const key of Object.keys(message))
      if (message[key] === undefined || message[key] === null) delete message[key];
    socket.send(JSON.stringify(message));
  }

  // Resolves with the line that answers: registered, name-taken or error.
  function register(url, name) {
    if (socket) socket.close();
    me = name;
    return new Promise((resolve) => {
      let answered = false;
      const done = (line) => {
        if (!answered) { answered = true; resolve(line); }
      };
      const ws = new WebSocket(url);
      socket = ws;
      ws.onopen = () => signal({ type: 'store_user', name });
      ws.onerror = () => done('error cannot reach server ' + url);
      ws.onclose = () => {
        // Only a registered client was connected; before that it is an error.
        if (answered && socket === ws) emit('disconnected ' + url);
        done('error server ' + url + ' closed the connection');
      };
      ws.onmessage = (event) => {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch {
          emit('warning server sent a frame that is not JSON');
          return;
        }
        const line = onSignal(message);
        if (line) done(line);
      };
    }).then((line) => { emit(line); return line; });
  }

  // Returns the answer to a pending register(), if this message is one.
  function onSignal(m) {
    switch (m.type) {
      case 'user_stored': return 'registered ' + m.data;
      case 'user_already_exists': return 'name-taken ' + m.data;
      case 'transfer_response': onTransferResponse(m.data); break;
      case 'offer_received': onOffer(m.name, m.data); break;
      case 'answer_received': onAnswer(m.name, m.data); break;
      case 'ice_candidate': onRemoteCandidate(m.name, m.data); break;
      // The app ignores an error reply, but one means the server refused
      // what the app sends: a test must hear of it.
      case 'error': emit(`warning server error ${m.code}: ${m.message} (ref ${m.ref ?? '-'})`); break;
      // The app ignores every other type, Confab's extensions included.
      default: emit('ignored ' + m.type + ' ' + (m.name ?? '-'));
    }
    return null;
  }

  function call(peer) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return 'error not connected to a server';
    pendingTransfers.push(peer);
    signal({ type: 'start_transfer', name: me, target: peer });
    return 'calling ' + peer;
  }

  // The answer names the target only when it is online, so match answers to
  // questions in order; like the app, call whoever the answer names.
  function onTransferResponse(data) {
    const asked = pendingTransfers.shift();
    if (data === null || data === undefined) {
      emit('offline ' + (asked ?? '-'));
      return;
    }
    makeOffer(String(data)).catch((e) => emit('error offer to ' + data + ': ' + e.message));
  }

  function newPeer(name, role) {
    peers.get(name)?.pc.close();
    // No STUN or TURN: these tests talk to this machine only.
    const pc = new RTCPeerConnection({ iceServers: [] });
    const p = { name, role, pc, own: null, remote: null, accepted: role === 'caller',
                opened: false, closed: false };
    peers.set(name, p);

    pc.onicecandidate = (event) => {
      // The app forwards each candidate at once; the browser's
      // end-of-candidates (null or empty) has no counterpart on Android.
      const c = event.candidate;
      if (!c || !c.candidate) return;
      note('local candidate for ' + name + ': ' + c.candidate);
      signal({ type: 'ice_candidate', name: me, target: name,
               data: { sdpMLineIndex: c.sdpMLineIndex, sdpMid: c.sdpMid, sdpCandidate: c.candidate } });
    };
    pc.ondatachannel = (event) => {
      const channel = event.channel;
      emit('channel ' + name + ' ' + channel.label);
      if (channel.label === 'localDataChannel' && !p.remote) {
        p.remote = channel;
        channel.onopen = () => checkOpen(p);
        channel.onclose = () => markClosed(p, 'remote channel closed');
      }
      // Like the app, read every channel the peer opens.
      channel.onmessage = (e) => onChannelMessage(p, channel, e.data);
      checkOpen(p);
    };
    pc.onconnectionstatechange = () => {
      note('connection to ' + name + ' is ' + pc.connectionState);
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed')
        markClosed(p, 'connection ' + pc.connectionState);
    };
    return p;
  }

  // Each side creates its own ordered, reliable channel with this label.
  function createOwnChannel(p) {
    p.own = p.pc.createDataChannel('localDataChannel', { ordered: true });
    p.own.onopen = () => checkOpen(p);
    p.own.onclose = () => markClosed(p, 'own channel closed');
  }

  // Open means both directions work: ours to send on, theirs to read.
  function checkOpen(p) {
    if (p.opened || p.closed || !p.own || !p.remote) return;
    if (p.own.readyState === 'open' && p.remote.readyState === 'open') {
      p.opened = true;
      emit('open ' + p.name);
    }
  }

  function markClosed(p, reason) {
    if (p.closed || peers.get(p.name) !== p) return;
    p.closed = true;
    emit('closed ' + p.name + ' ' + reason);
  }

  function onChannelMessage(p, channel, data) {
    // The app decodes whatever arrives as UTF-8 text.
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    if (typeof data !== 'string') emit('warning binary message from ' + p.name + ' on ' + channel.label);
    if (text === '') {
      note('dropped an empty message from ' + p.name);
      return;
    }
    received.push({ peer: p.name, label: channel.label, text });
    emit('message ' + p.name + ': ' + oneLine(text));
  }

  async function makeOffer(peer) {
    const p = newPeer(peer, 'caller');
    createOwnChannel(p);
    const offer = await p.pc.createOffer();
    // The app sends the offer from createOffer's callback, before any
    // candidate exists: the SDP carries none, they all trickle.
    signal({ type: 'create_offer', name: me, target: peer, data: { sdp: offer.sdp, type: 'OFFER' } });
    await p.pc.setLocalDescription(offer);
  }

  async function onAnswer(peer, sdp) {
    const p = peers.get(peer);
    if (!p || p.role !== 'caller') return emit('warning answer from ' + peer + ', who was not called');
    if (typeof sdp !== 'string') return emit('warning answer from ' + peer + ' has no SDP string');
    try {
      await p.pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (e) {
      emit('error answer from ' + peer + ' refused: ' + e.message);
    }
  }

  function onOffer(peer, sdp) {
    if (typeof sdp !== 'string') return emit('warning offer from ' + peer + ' has no SDP string');
    // Nothing is created before the user decides: only the SDP is kept.
    peers.get(peer)?.pc.close();
    peers.delete(peer);
    incoming.set(peer, sdp);
    emit('offer ' + peer);
    if (acceptPolicy === 'accept') accept(peer);
    else if (acceptPolicy === 'decline') decline(peer);
  }

  function accept(peer) {
    const sdp = incoming.get(peer);
    if (sdp === undefined) return 'error no offer from ' + peer;
    incoming.delete(peer);
    const p = newPeer(peer, 'callee');
    p.accepted = true;
    emit('accepted ' + peer);
    answer(p, sdp).catch((e) => emit('error answer to ' + peer + ': ' + e.message));
    return 'ok';
  }

  async function answer(p, sdp) {
    await p.pc.setRemoteDescription({ type: 'offer', sdp });
    createOwnChannel(p);
    const desc = await p.pc.createAnswer();
    signal({ type: 'create_answer', name: me, target: p.name, data: { sdp: desc.sdp, type: 'ANSWER' } });
    await p.pc.setLocalDescription(desc);
  }

  // Declining sends nothing: the caller is never told.
  function decline(peer) {
    if (!incoming.delete(peer)) return 'error no offer from ' + peer;
    emit('declined ' + peer);
    return 'ok';
  }

  function onRemoteCandidate(peer, data) {
    const p = peers.get(peer);
    if (!p || !p.accepted) {
      // The app drops candidates that arrive before its user accepts; a
      // caller that sends them early may never connect to a phone.
      emit('discarded ' + peer);
      return;
    }
    if (data?.sdpCandidate === '') {
      // End of candidates: Android's IceCandidate cannot parse it, so the
      // app skips it (addIceCandidate returns false); harmless.
      note('skipped an empty candidate (end of candidates) from ' + peer);
      return;
    }
    // The app reads sdpMLineIndex as a number and needs sdpMid as a string.
    if (!data || typeof data.sdpCandidate !== 'string' || typeof data.sdpMid !== 'string'
        || typeof data.sdpMLineIndex !== 'number') {
      emit('warning malformed ice_candidate from ' + peer + ': ' + JSON.stringify(data));
      return;
    }
    note('remote candidate from ' + peer + ': ' + data.sdpCandidate);
    p.pc.addIceCandidate({ candidate: data.sdpCandidate, sdpMid: data.sdpMid,
                           sdpMLineIndex: data.sdpMLineIndex })
      .catch((e) => emit('warning candidate from ' + peer + ' refused: ' + e.message));
  }

  function send(peer, text) {
    const p = peers.get(peer);
    if (!p || !p.own || p.own.readyState !== 'open') return 'error no open channel to ' + peer;
    if (text === '') return 'error the app never sends an empty message';
    p.own.send(text);
    return 'sent ' + peer;
  }

  function hangup(peer) {
    const p = peers.get(peer);
    if (!p) return 'error no connection to ' + peer;
    markClosed(p, 'hung up');
    peers.delete(peer);
    p.pc.close();
    return 'ok';
  }

  // Closes every peer connection and the socket, with a close frame.
  function disconnect() {
    for (const peer of [...peers.keys()]) hangup(peer);
    const ws = socket;
    socket = null;
    ws?.close(1000);
    return 'ok';
  }

  function status(peer) {
    const p = peers.get(peer);
    if (!p) return 'status ' + peer + (incoming.has(peer) ? ' offered' : ' none');
    return 'status ' + peer + ' role=' + p.role + ' signaling=' + p.pc.signalingState
      + ' ice=' + p.pc.iceConnectionState + ' connection=' + p.pc.connectionState
      + ' own=' + (p.own?.readyState ?? 'none') + ' remote=' + (p.remote?.readyState ?? 'none');
  }

  function setAcceptPolicy(policy) {
    if (!['accept', 'decline', 'ask'].includes(policy)) return 'error unknown accept policy ' + policy;
    acceptPolicy = policy;
    return 'ok';
  }

  return {
    register, call, accept, decline, send, hangup, disconnect, status, setAcceptPolicy,
    events, received,
    get name() { return me; },
    get serverState() { return socket ? ['connecting', 'open', 'closing', 'closed'][socket.readyState] : 'none'; },
    connectionState: (peer) => peers.get(peer)?.pc.connectionState ?? 'none',
  };
})();
