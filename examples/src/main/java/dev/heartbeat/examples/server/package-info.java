/**
 * What the demo servers share: one endpoint on either transport with a few HTTP routes beside
 * the WebSocket ({@link dev.heartbeat.examples.server.DemoEndpoints}), and their figures as JSON.
 */
@NullMarked
package dev.heartbeat.examples.server;

import org.jspecify.annotations.NullMarked;
