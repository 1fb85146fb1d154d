package io.tangle.microvm.chain.testing;

import io.tangle.microvm.chain.JobSubmittedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A poller consumer that records the events it receives, in order. */
public final class RecordingConsumer implements Consumer<JobSubmittedEvent> {

    private final LinkedBlockingQueue<JobSubmittedEvent> received = new LinkedBlockingQueue<>();
    private final List<JobSubmittedEvent> all = new CopyOnWriteArrayList<>();

    @Override
    public void accept(JobSubmittedEvent event) {
        all.add(event);
        received.add(event);
    }

    /** Takes the next event not taken yet, waiting at most {@code timeout}. */
    public JobSubmittedEvent next(Duration timeout) throws InterruptedException {
        JobSubmittedEvent event = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no job event within " + timeout.toMillis() + " ms; received so far: " + all);
        }
        return event;
    }

    /** Takes the next {@code count} events. */
    public List<JobSubmittedEvent> next(int count, Duration timeout) throws InterruptedException {
        List<JobSubmittedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(next(timeout));
        }
        return events;
    }

    /** Returns every event received so far, taken or not. */
    public List<JobSubmittedEvent> all() {
        return List.copyOf(all);
    }
}
