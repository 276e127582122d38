/**
 * Runnable demos to copy from: an in-memory tour ({@link dev.heartbeat.examples.LocalDemo}), one
 * example on every transport ({@link dev.heartbeat.examples.EchoChat}), and the server load tests
 * run ({@link dev.heartbeat.examples.DemoServer}). No library logic lives here.
 */
@NullMarked
package dev.heartbeat.examples;

import org.jspecify.annotations.NullMarked;
