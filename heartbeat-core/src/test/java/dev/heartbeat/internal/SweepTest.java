package dev.heartbeat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.heartbeat.ControlledScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** The sweep's timing wheel, with targets that only record their visits, in virtual time. */
class SweepTest {

  private static final long PERIOD = TimeUnit.MILLISECONDS.toNanos(50);

  private final ControlledScheduler clock = ControlledScheduler.create();
  private final List<Disposable> registrations = new ArrayList<>();

  @AfterEach
  void unregister() {
    registrations.forEach(Disposable::dispose);
  }

  /**
   * A target that records its visits (in ms) and is due every {@code everyMillis}: a visit at or
   * after its due time moves it on; an earlier one finds nothing due and names the same time.
   */
  private final class Recorder implements Sweep.Target {
    final List<Long> visits = new ArrayList<>();
    final long every;
    long due = Long.MIN_VALUE;
    boolean done;

    Recorder(long everyMillis) {
      this.every = TimeUnit.MILLISECONDS.toNanos(everyMillis);
      registrations.add(Sweep.register(clock, PERIOD, this));
    }

    @Override
    public long tick(long now, long stallStart, long stallEnd) {
      visits.add(TimeUnit.NANOSECONDS.toMillis(now));
      if (now >= due) {
        due = now + every;
      }
      return due;
    }

    @Override
    public boolean isDone() {
      return done;
    }
  }

  @Test
  void aTargetIsVisitedWhenItAskedToBeNotOnEveryRun() {
    Recorder everySecond = new Recorder(1_000);
    Recorder everyRun = new Recorder(0);
    clock.advance(Duration.ofMillis(3_050));
    assertEquals(List.of(50L, 1_050L, 2_050L, 3_050L), everySecond.visits);
    assertEquals(61, everyRun.visits.size(), "a target that names a time already past gets the next run");
  }

  @Test
  void aTargetIsVisitedOnTheFirstRunAtOrAfterItsDueTime() {
    Recorder odd = new Recorder(1_030);
    clock.advance(Duration.ofMillis(2_200));
    // Due at 1,080 ms: its slot (1,050) comes first and finds nothing due, the next run is the
    // first at or after it; then due at 2,130 ms, visited at 2,100 and 2,150.
    assertEquals(List.of(50L, 1_050L, 1_100L, 2_100L, 2_150L), odd.visits);
  }

  @Test
  void aTargetDueBeyondOneTurnOfTheWheelIsVisitedEarlyAtMostOncePerTurn() {
    long turnMillis = TimeUnit.NANOSECONDS.toMillis(Sweep.SLOTS * PERIOD); // 12,800 ms
    Recorder far = new Recorder(2 * turnMillis + 50); // due at 25,700 ms
    clock.advance(Duration.ofMillis(25_700));
    assertEquals(List.of(50L, 100L, 100L + turnMillis, 25_700L), far.visits);
  }

  @Test
  void afterALongStallEveryTargetDueMeanwhileIsVisitedOnceOnTheLateRun() {
    Recorder a = new Recorder(200);
    Recorder b = new Recorder(700);
    clock.advance(Duration.ofMillis(50)); // both visited once
    clock.stall();
    clock.advance(Duration.ofSeconds(20)); // more than a turn of the wheel
    clock.resume();
    assertEquals(List.of(50L, 20_050L), a.visits);
    assertEquals(List.of(50L, 20_050L), b.visits);
  }

  @Test
  void aDoneTargetIsDroppedWhenItsSlotComesRound() {
    Recorder target = new Recorder(500);
    clock.advance(Duration.ofMillis(100));
    target.done = true;
    clock.advance(Duration.ofSeconds(30)); // more than two turns: it was dropped, not put back
    assertEquals(List.of(50L), target.visits);
  }
}
