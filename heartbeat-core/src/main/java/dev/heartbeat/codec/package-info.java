/** Heartbeat wire formats and application message codecs. */
@NullMarked
package dev.heartbeat.codec;

import org.jspecify.annotations.NullMarked;
