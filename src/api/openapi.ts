/** The OpenAPI 3.1 description of the REST endpoints Tubelet implements (a PeerTube-compatible subset). */
import { VERSION } from "../version.ts";
import { viewerPaths } from "./openapi-viewer.ts";

const error = { $ref: "#/components/responses/Error" };
const bearer = [{ OAuth2: [] }];
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const handleParam = (name: string, description: string) => ({ name, in: "path", required: true, description, schema: { type: "string" } });

/** The fields of a live's create and update bodies, PeerTube's names; latencyMode 1 normal, 3 low (2 is taken as 1). */
function liveBody(required: string[]) {
  return {
    type: "object",
    properties: {
      channelId: { type: "integer" },
      name: { type: "string", minLength: 3, maxLength: 120 },
      description: { type: "string" },
      privacy: { enum: [1, 2, 3] },
      saveReplay: { type: "boolean" },
      permanentLive: { type: "boolean" },
      latencyMode: { enum: [1, 2, 3] },
    },
    ...(required.length ? { required } : {}),
  };
}

export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Tubelet REST API",
    version: VERSION,
    description: "A subset of PeerTube's REST API: existing PeerTube clients can log in, manage channels, videos and playlists, search, comment and rate.",
  },
  servers: [{ url: "/api/v1" }],
  components: {
    securitySchemes: {
      OAuth2: { type: "oauth2", flows: { password: { tokenUrl: "/api/v1/users/token", scopes: {} } } },
    },
    schemas: {
      Problem: {
        type: "object",
        properties: {
          type: { type: "string" },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" },
          code: { type: "string" },
          "invalid-params": { type: "object" },
        },
        required: ["status", "detail"],
      },
      Account: {
        type: "object",
        properties: {
          id: { type: "integer" },
          name: { type: "string" },
          host: { type: "string" },
          displayName: { type: "string" },
          description: { type: ["string", "null"] },
          url: { type: "string" },
          avatars: { type: "array", items: { type: "object" } },
        },
      },
      VideoChannel: {
        type: "object",
        properties: {
          id: { type: "integer" },
          name: { type: "string" },
          displayName: { type: "string" },
          description: { type: ["string", "null"] },
          support: { type: ["string", "null"] },
          ownerAccount: { $ref: "#/components/schemas/Account" },
        },
      },
    },
    responses: {
      Error: { description: "An error in PeerTube's problem-details shape", ...json({ $ref: "#/components/schemas/Problem" }) },
    },
  },
  paths: {
    "/config": { get: { summary: "Public instance configuration", responses: { 200: { description: "Configuration" } } } },
    "/oauth-clients/local": {
      get: { summary: "The local OAuth client id and secret", responses: { 200: json({ type: "object", properties: { client_id: { type: "string" }, client_secret: { type: "string" } } }) } },
    },
    "/users/token": {
      post: {
        summary: "Log in (password grant) or refresh a token (refresh_token grant)",
        requestBody: {
          content: {
            "application/x-www-form-urlencoded": {
              schema: {
                type: "object",
                properties: {
                  client_id: { type: "string" },
                  client_secret: { type: "string" },
                  grant_type: { enum: ["password", "refresh_token"] },
                  username: { type: "string" },
                  password: { type: "string" },
                  refresh_token: { type: "string" },
                },
                required: ["client_id", "client_secret", "grant_type"],
              },
            },
          },
        },
        responses: { 200: { description: "Tokens" }, 400: error, 429: error },
      },
    },
    "/users/revoke-token": { post: { summary: "Log out: revoke the access token", security: bearer, responses: { 200: { description: "Revoked" }, 401: error } } },
    "/users/me": { get: { summary: "The logged-in user with their account and channels", security: bearer, responses: { 200: { description: "User" }, 401: error } } },
    "/accounts/{name}": {
      get: { summary: "An account", parameters: [handleParam("name", "username or username@host")], responses: { 200: json({ $ref: "#/components/schemas/Account" }), 404: error } },
    },
    "/accounts/{name}/video-channels": {
      get: { summary: "An account's channels", parameters: [handleParam("name", "username")], responses: { 200: { description: "{ total, data }" }, 404: error } },
    },
    "/video-channels": {
      post: {
        summary: "Create a channel",
        security: bearer,
        requestBody: json({
          type: "object",
          properties: { name: { type: "string" }, displayName: { type: "string" }, description: { type: "string" }, support: { type: "string" } },
          required: ["name", "displayName"],
        }),
        responses: { 200: { description: "{ videoChannel: { id } }" }, 400: error, 401: error, 409: error },
      },
    },
    "/video-channels/{handle}": {
      get: { summary: "A channel", parameters: [handleParam("handle", "channel handle")], responses: { 200: json({ $ref: "#/components/schemas/VideoChannel" }), 404: error } },
      put: { summary: "Edit a channel (owner or admin)", security: bearer, parameters: [handleParam("handle", "channel handle")], responses: { 204: { description: "Saved" }, 400: error, 403: error } },
      delete: { summary: "Delete a channel (owner or admin)", security: bearer, parameters: [handleParam("handle", "channel handle")], responses: { 204: { description: "Deleted" }, 403: error, 409: error } },
    },
    "/videos/live": {
      post: {
        summary: "Create a live: a video page waiting for its RTMP stream (lives must be allowed on the instance)",
        security: bearer,
        requestBody: json(liveBody(["channelId", "name"])),
        responses: { 200: json({ type: "object", properties: { video: { type: "object", properties: { id: { type: "integer" }, uuid: { type: "string" }, shortUUID: { type: "string" } } } } }), 400: error, 401: error, 403: error },
      },
    },
    "/videos/live/{id}": {
      get: {
        summary: "A live's streaming settings, stream key included (owner or admin)",
        security: bearer,
        parameters: [handleParam("id", "video id, uuid or short uuid")],
        responses: {
          200: json({
            type: "object",
            properties: {
              rtmpUrl: { type: "string" },
              rtmpsUrl: { type: "null" },
              streamKey: { type: "string" },
              saveReplay: { type: "boolean" },
              permanentLive: { type: "boolean" },
              latencyMode: { enum: [1, 3] },
            },
          }),
          401: error,
          403: error,
          404: error,
        },
      },
      put: {
        summary: "Change replay, permanence and latency (owner or admin; refused while on air)",
        security: bearer,
        parameters: [handleParam("id", "video id, uuid or short uuid")],
        requestBody: json(liveBody([])),
        responses: { 204: { description: "Saved" }, 400: error, 401: error, 403: error, 409: error },
      },
    },
    ...viewerPaths(),
  },
} as const;
