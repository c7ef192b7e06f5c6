import {
  type CrossCheck,
  env,
  loadSettings,
  type SettingsOf,
  serviceSettings,
  settingsSchema,
  withChecks,
} from '@chat/runtime';

export type JwtVerification = (
  | { algorithms: ['HS256']; key: string }
  | { algorithms: Array<'RS256' | 'ES256'>; key: string }
) & {
  /** When set, a token's `iss` must equal it. */
  issuer?: string;
  /** When set, a token's `aud` must contain it. */
  audience?: string;
};

/** The gateway's settings; `defaults` are the process's own (its id, a random cursor key). */
function gatewaySettings(defaults: { gatewayId: string; cursorSecret: string }) {
  const fields = settingsSchema({
    ...serviceSettings,
    host: env.string('SERVER_HOST', '0.0.0.0'),
    port: env.integer('SERVER_PORT', 3000, { min: 0, max: 65535 }),
    /** Unique per process: every gateway consumes every message.persisted through its own group. */
    gatewayId: env.string('GATEWAY_ID', defaults.gatewayId),
    jwtSecret: env.optionalString('JWT_SECRET'),
    /** PEM, `\n` escapes allowed. */
    jwtPublicKey: env.optionalString('JWT_PUBLIC_KEY'),
    jwtIssuer: env.optionalString('JWT_ISSUER'),
    jwtAudience: env.optionalString('JWT_AUDIENCE'),
    cursorSecret: env.optionalString('CURSOR_SECRET'),
    /** How long a sender waits for "stored" before getting UNAVAILABLE (and retrying with the same id). */
    sendAckTimeoutMs: env.integer('SEND_ACK_TIMEOUT_MS', 10_000, { min: 100 }),
    /**
     * How often the persisters' consumer group is described (one small Kafka request): readiness and the
     * "no persister" fast failure are at most this stale.
     */
    persisterCheckIntervalMs: env.integer('PERSISTER_CHECK_INTERVAL_MS', 1000, { min: 100 }),
    /** Sends a socket may have waiting for their ack at once. */
    maxPendingSendsPerSocket: env.integer('MAX_PENDING_SENDS_PER_SOCKET', 100, { min: 1 }),
    /**
     * Browser origins allowed by CORS; empty means none (server-to-server and native clients, which send no
     * Origin, are unaffected). In production a socket whose handshake names another origin is refused.
     */
    corsOrigins: env.list('CORS_ORIGINS', ''),
    /** Largest Socket.IO frame accepted; a bigger one closes the connection (WebSocket close code 1009). */
    socketMaxFrameBytes: env.integer('SOCKET_MAX_FRAME_BYTES', 1024 * 1024, { min: 64 * 1024 }),
    /** Largest HTTP request body accepted; a bigger one is answered 413 PAYLOAD_TOO_LARGE. */
    httpMaxBodyBytes: env.integer('HTTP_MAX_BODY_BYTES', 64 * 1024, { min: 1024 }),
    /**
     * How long a client may take to send a whole HTTP request, headers and body; a slower one gets 408 and its
     * connection is closed (checked every second).
     */
    httpRequestTimeoutMs: env.integer('HTTP_REQUEST_TIMEOUT_MS', 20_000, { min: 1000, max: 300_000 }),
    /** Sends per second a user may make across all of their sockets on this gateway, and the burst above it. */
    sendRatePerUser: env.integer('SEND_RATE_PER_USER', 20, { min: 1 }),
    sendBurstPerUser: env.integer('SEND_BURST_PER_USER', 60, { min: 1 }),
    /** Events of any kind per second a socket may emit (burst twice that); beyond it they are refused or dropped. */
    socketEventRate: env.integer('SOCKET_EVENT_RATE', 100, { min: 1 }),
    /**
     * Refusals (RATE_LIMITED answers and dropped events) a socket may collect, one forgiven every tenth of a
     * second per 100: a socket past it is told `session:closed` and disconnected.
     */
    socketRefusalLimit: env.integer('SOCKET_REFUSAL_LIMIT', 100, { min: 10 }),
    /** After a socket of a user was closed for flooding, that user's new sockets are refused for this long. */
    floodCooldownMs: env.integer('FLOOD_COOLDOWN_MS', 10_000, { min: 0 }),
    /** Read and delivered marker writes per second a user may cause across conversations (burst the same). */
    markerRatePerUser: env.integer('MARKER_RATE_PER_USER', 20, { min: 1 }),
    /** Sockets one user may have open on this gateway at once. */
    maxSocketsPerUser: env.integer('MAX_SOCKETS_PER_USER', 20, { min: 1 }),
    /** Socket.IO's transport heartbeat: a client silent for interval + timeout is disconnected. */
    socketPingIntervalMs: env.integer('SOCKET_PING_INTERVAL_MS', 10_000, { min: 1000 }),
    socketPingTimeoutMs: env.integer('SOCKET_PING_TIMEOUT_MS', 10_000, { min: 1000 }),
    presenceHeartbeatMs: env.integer('PRESENCE_HEARTBEAT_MS', 5000, { min: 500 }),
    /** A gateway silent this long is dead: its users are offline. */
    presenceTtlMs: env.integer('PRESENCE_TTL_MS', 15_000, { min: 1000 }),
    presenceOfflineDebounceMs: env.integer('PRESENCE_OFFLINE_DEBOUNCE_MS', 2000, { min: 0 }),
    /** Serve the demo chat page at `/`; unset, on in development only. */
    demoPage: env.oneOf('DEMO_PAGE', ['on', 'off'], undefined),
    /** Ready-made users the demo page offers (`npm start` sets it). */
    demoUsers: env.list('DEMO_TOKENS', '', { pattern: /^[^=]+=[^=]+$/, are: 'user=token' }),
  });
  // Short secrets can be guessed; development and tests may use any.
  const secretLongInProduction = (
    field: 'jwtSecret' | 'cursorSecret',
    variable: string,
  ): CrossCheck<SettingsOf<typeof fields>> => ({
    reads: ['nodeEnv', field],
    problem: (settings) =>
      settings.nodeEnv === 'production' && (settings[field]?.length ?? 32) < 32
        ? `${variable} must be at least 32 characters`
        : undefined,
  });
  const checked = withChecks(fields, [
    {
      reads: ['jwtSecret', 'jwtPublicKey'],
      problem: ({ jwtSecret, jwtPublicKey }) => {
        if (jwtSecret && jwtPublicKey)
          return 'set either JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256), not both';
        if (!jwtSecret && !jwtPublicKey) return 'JWT_SECRET or JWT_PUBLIC_KEY is required';
      },
    },
    secretLongInProduction('jwtSecret', 'JWT_SECRET'),
    secretLongInProduction('cursorSecret', 'CURSOR_SECRET'),
    {
      reads: ['presenceHeartbeatMs', 'presenceTtlMs'],
      problem: ({ presenceHeartbeatMs, presenceTtlMs }) =>
        presenceTtlMs < 2 * presenceHeartbeatMs
          ? 'PRESENCE_TTL_MS must be at least twice PRESENCE_HEARTBEAT_MS (one lost heartbeat must not mark a gateway dead)'
          : undefined,
    },
  ]);
  return checked.transform(
    ({
      jwtSecret,
      jwtPublicKey,
      jwtIssuer,
      jwtAudience,
      cursorSecret,
      demoPage,
      demoUsers,
      ...settings
    }) => ({
      ...settings,
      jwt: jwtVerification(jwtSecret, jwtPublicKey, { issuer: jwtIssuer, audience: jwtAudience }),
      /**
       * Key of the HMAC that signs inbox cursors: CURSOR_SECRET, else derived from JWT_SECRET (whoever holds it
       * can mint tokens anyway), else (JWT_PUBLIC_KEY without CURSOR_SECRET) random per process. Gateways behind
       * one load balancer must share it.
       */
      cursorSecret: cursorSecretOf(cursorSecret, jwtSecret, defaults.cursorSecret),
      demoPage: (demoPage ?? (settings.nodeEnv === 'development' ? 'on' : 'off')) === 'on',
      demoUsers: demoUsers.map((entry) => {
        const [userId = '', token = ''] = entry.split('=');
        return { userId, token };
      }),
    }),
  );
}

function jwtVerification(
  secret: string | undefined,
  publicKey: string | undefined,
  claims: { issuer: string | undefined; audience: string | undefined },
): JwtVerification {
  return {
    ...(publicKey
      ? { algorithms: ['RS256', 'ES256'], key: publicKey.replaceAll('\\n', '\n') }
      : { algorithms: ['HS256'], key: secret ?? '' }),
    ...(claims.issuer ? { issuer: claims.issuer } : {}),
    ...(claims.audience ? { audience: claims.audience } : {}),
  };
}

function cursorSecretOf(
  cursorSecret: string | undefined,
  jwtSecret: string | undefined,
  random: string,
): { value: string; source: 'CURSOR_SECRET' | 'JWT_SECRET' | 'random' } {
  if (cursorSecret !== undefined) return { value: cursorSecret, source: 'CURSOR_SECRET' };
  if (jwtSecret !== undefined) return { value: `inbox-cursor:${jwtSecret}`, source: 'JWT_SECRET' };
  return { value: random, source: 'random' };
}

export type GatewayConfig = SettingsOf<ReturnType<typeof gatewaySettings>>;

export function loadGatewayConfig(
  environment: Record<string, string | undefined>,
  defaults: { gatewayId: string; cursorSecret: string },
): GatewayConfig {
  return loadSettings(gatewaySettings(defaults), environment);
}
