/** The operators' machinery. Not exported: no compatibility promise. */
@NullMarked
package dev.heartbeat.internal;

import org.jspecify.annotations.NullMarked;
