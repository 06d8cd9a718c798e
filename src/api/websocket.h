// WebSocket routes: how a handler recognises an upgrade request. The
// handshake and the frames are the HTTP server's business (a handler
// answers WebSocketUpgrade with a StreamSubscription; see http_server.h).
#pragma once

#include "api/http_server.h"

namespace meal::api {

// True iff `request` asks to become a WebSocket (RFC 6455 section 4.2.1): a
// GET with "Upgrade: websocket", "upgrade" among the Connection tokens,
// Sec-WebSocket-Version 13 and a Sec-WebSocket-Key. Names and tokens compare
// case-insensitively.
bool IsWebSocketUpgrade(const Request& request);

}  // namespace meal::api
