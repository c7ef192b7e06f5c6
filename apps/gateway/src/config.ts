import { readServiceSettings, type ServiceSettings, SettingsReader } from '@chat/runtime';

export type JwtVerification = (
  | { algorithms: ['HS256']; key: string }
  | { algorithms: Array<'RS256' | 'ES256'>; key: string }
) & {
  /** When set, a token's `iss` must equal it. */
  issuer?: string;
  /** When set, a token's `aud` must contain it. */
  audience?: string;
};

export interface GatewayConfig extends ServiceSettings {
  host: string;
  port: number;
  /** Unique per process: every gateway consumes every message.persisted through its own group. */
  gatewayId: string;
  jwt: JwtVerification;
  /** How long a sender waits for "stored" before getting UNAVAILABLE (and retrying with the same id). */
  sendAckTimeoutMs: number;
  /**
   * How often the persisters' consumer group is described (one small Kafka request): readiness and the
   * "no persister" fast failure are at most this stale.
   */
  persisterCheckIntervalMs: number;
  /** Sends a socket may have waiting for their ack at once. */
  maxPendingSendsPerSocket: number;
  /**
   * Browser origins allowed by CORS; empty means none (server-to-server and native clients, which send no
   * Origin, are unaffected). In production a socket whose handshake names another origin is refused.
   */
  corsOrigins: string[];
  /** Largest Socket.IO frame accepted; a bigger one closes the connection (WebSocket close code 1009). */
  socketMaxFrameBytes: number;
  /** Largest HTTP request body accepted; a bigger one is answered 413 PAYLOAD_TOO_LARGE. */
  httpMaxBodyBytes: number;
  /**
   * How long a client may take to send a whole HTTP request, headers and body; a slower one gets 408 and its
   * connection is closed (checked every second).
   */
  httpRequestTimeoutMs: number;
  /** Sends per second a user may make across all of their sockets on this gateway, and the burst above it. */
  sendRatePerUser: number;
  sendBurstPerUser: number;
  /** Events of any kind per second a socket may emit (burst twice that); beyond it they are refused or dropped. */
  socketEventRate: number;
  /**
   * Refusals (RATE_LIMITED answers and dropped events) a socket may collect, one forgiven every tenth of a second
   * per 100: a socket past it is told `session:closed` and disconnected.
   */
  socketRefusalLimit: number;
  /** After a socket of a user was closed for flooding, that user's new sockets are refused for this long. */
  floodCooldownMs: number;
  /** Read and delivered marker writes per second a user may cause across conversations (burst the same). */
  markerRatePerUser: number;
  /**
   * Key of the HMAC that signs inbox cursors: CURSOR_SECRET, else derived from JWT_SECRET, else (JWT_PUBLIC_KEY
   * without CURSOR_SECRET) random per process. Gateways behind one load balancer must share it.
   */
  cursorSecret: { value: string; source: 'CURSOR_SECRET' | 'JWT_SECRET' | 'random' };
  /** Sockets one user may have open on this gateway at once. */
  maxSocketsPerUser: number;
  /** Socket.IO's transport heartbeat: a client silent for interval + timeout is disconnected. */
  socketPingIntervalMs: number;
  socketPingTimeoutMs: number;
  presenceHeartbeatMs: number;
  /** A gateway silent this long is dead: its users are offline. */
  presenceTtlMs: number;
  presenceOfflineDebounceMs: number;
  /** Serve the demo chat page at `/` (DEMO_PAGE; on by default in development only). */
  demoPage: boolean;
  /** Ready-made users the demo page offers (DEMO_TOKENS, `user=token,…`; `npm start` sets it). */
  demoUsers: Array<{ userId: string; token: string }>;
  shutdownTimeoutMs: number;
}

function readDemoUsers(read: SettingsReader): Array<{ userId: string; token: string }> {
  return read.list('DEMO_TOKENS', '').flatMap((entry) => {
    const [userId, token, ...rest] = entry.split('=');
    if (!userId || !token || rest.length > 0) {
      read.problem('DEMO_TOKENS must be a comma-separated list of user=token');
      return [];
    }
    return [{ userId, token }];
  });
}

/** CURSOR_SECRET, else one derived from JWT_SECRET (whoever holds it can mint tokens anyway), else random. */
function readCursorSecret(
  read: SettingsReader,
  nodeEnv: GatewayConfig['nodeEnv'],
  jwtSecret: string | undefined,
  random: string,
): GatewayConfig['cursorSecret'] {
  const secret = read.optionalString('CURSOR_SECRET');
  if (secret !== undefined) {
    if (nodeEnv === 'production' && secret.length < 32)
      read.problem('CURSOR_SECRET must be at least 32 characters');
    return { value: secret, source: 'CURSOR_SECRET' };
  }
  if (jwtSecret !== undefined) return { value: `inbox-cursor:${jwtSecret}`, source: 'JWT_SECRET' };
  return { value: random, source: 'random' };
}

export function loadGatewayConfig(
  env: Record<string, string | undefined>,
  defaults: { gatewayId: string; cursorSecret: string },
): Readonly<GatewayConfig> {
  const read = new SettingsReader(env);
  const service = readServiceSettings(read);
  const { nodeEnv } = service;
  const secret = read.optionalString('JWT_SECRET');
  const publicKey = read.optionalString('JWT_PUBLIC_KEY');
  const claims = { issuer: read.optionalString('JWT_ISSUER'), audience: read.optionalString('JWT_AUDIENCE') };
  let jwt: JwtVerification = { algorithms: ['HS256'], key: '' };
  if (secret && publicKey)
    read.problem('set either JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256), not both');
  else if (publicKey) jwt = { algorithms: ['RS256', 'ES256'], key: publicKey.replaceAll('\\n', '\n') };
  else if (secret) {
    if (nodeEnv === 'production' && secret.length < 32)
      read.problem('JWT_SECRET must be at least 32 characters');
    jwt = { algorithms: ['HS256'], key: secret };
  } else read.problem('JWT_SECRET or JWT_PUBLIC_KEY is required');

  const heartbeatMs = read.integer('PRESENCE_HEARTBEAT_MS', 5000, { min: 500 });
  if (read.integer('PRESENCE_TTL_MS', 15_000, { min: 1000 }) < 2 * heartbeatMs) {
    read.problem(
      'PRESENCE_TTL_MS must be at least twice PRESENCE_HEARTBEAT_MS (one lost heartbeat must not mark a gateway dead)',
    );
  }
  return read.done({
    ...service,
    host: read.string('SERVER_HOST', '0.0.0.0'),
    port: read.integer('SERVER_PORT', 3000, { min: 0, max: 65535 }),
    gatewayId: read.string('GATEWAY_ID', defaults.gatewayId),
    jwt: {
      ...jwt,
      ...(claims.issuer ? { issuer: claims.issuer } : {}),
      ...(claims.audience ? { audience: claims.audience } : {}),
    },
    sendAckTimeoutMs: read.integer('SEND_ACK_TIMEOUT_MS', 10_000, { min: 100 }),
    persisterCheckIntervalMs: read.integer('PERSISTER_CHECK_INTERVAL_MS', 1000, { min: 100 }),
    maxPendingSendsPerSocket: read.integer('MAX_PENDING_SENDS_PER_SOCKET', 100, { min: 1 }),
    corsOrigins: read.list('CORS_ORIGINS', ''),
    socketMaxFrameBytes: read.integer('SOCKET_MAX_FRAME_BYTES', 1024 * 1024, { min: 64 * 1024 }),
    httpMaxBodyBytes: read.integer('HTTP_MAX_BODY_BYTES', 64 * 1024, { min: 1024 }),
    httpRequestTimeoutMs: read.integer('HTTP_REQUEST_TIMEOUT_MS', 20_000, { min: 1000, max: 300_000 }),
    sendRatePerUser: read.integer('SEND_RATE_PER_USER', 20, { min: 1 }),
    sendBurstPerUser: read.integer('SEND_BURST_PER_USER', 60, { min: 1 }),
    socketEventRate: read.integer('SOCKET_EVENT_RATE', 100, { min: 1 }),
    socketRefusalLimit: read.integer('SOCKET_REFUSAL_LIMIT', 100, { min: 10 }),
    floodCooldownMs: read.integer('FLOOD_COOLDOWN_MS', 10_000, { min: 0 }),
    markerRatePerUser: read.integer('MARKER_RATE_PER_USER', 20, { min: 1 }),
    cursorSecret: readCursorSecret(read, nodeEnv, secret, defaults.cursorSecret),
    maxSocketsPerUser: read.integer('MAX_SOCKETS_PER_USER', 20, { min: 1 }),
    socketPingIntervalMs: read.integer('SOCKET_PING_INTERVAL_MS', 10_000, { min: 1000 }),
    socketPingTimeoutMs: read.integer('SOCKET_PING_TIMEOUT_MS', 10_000, { min: 1000 }),
    presenceHeartbeatMs: read.integer('PRESENCE_HEARTBEAT_MS', 5000, { min: 500 }),
    presenceTtlMs: read.integer('PRESENCE_TTL_MS', 15_000, { min: 1000 }),
    presenceOfflineDebounceMs: read.integer('PRESENCE_OFFLINE_DEBOUNCE_MS', 2000, { min: 0 }),
    demoPage: read.oneOf('DEMO_PAGE', ['on', 'off'], nodeEnv === 'development' ? 'on' : 'off') === 'on',
    demoUsers: readDemoUsers(read),
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 15_000, { min: 1000 }),
  });
}
