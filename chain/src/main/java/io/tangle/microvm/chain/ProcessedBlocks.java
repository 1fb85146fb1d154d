package io.tangle.microvm.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * The hashes of the last blocks that ended a processed range, newest last, so the poller can tell
 * whether the chain it already read is still the canonical one. Bounded: the oldest entries fall off.
 */
final class ProcessedBlocks {

    /** A processed block and its hash when it was read. */
    record Entry(long number, String hash) {
    }

    private final int capacity;
    private final Deque<Entry> entries = new ArrayDeque<>();

    ProcessedBlocks(int capacity) {
        this.capacity = capacity;
    }

    void add(long number, String hash) {
        while (!entries.isEmpty() && entries.peekLast().number() >= number) {
            entries.pollLast();
        }
        entries.addLast(new Entry(number, hash));
        while (entries.size() > capacity) {
            entries.pollFirst();
        }
    }

    Entry newest() {
        return entries.peekLast();
    }

    /** Returns the entries, newest first. */
    List<Entry> newestFirst() {
        List<Entry> list = new ArrayList<>(entries);
        Collections.reverse(list);
        return list;
    }

    /** Drops every entry above {@code number}. */
    void truncateAbove(long number) {
        while (!entries.isEmpty() && entries.peekLast().number() > number) {
            entries.pollLast();
        }
    }

    void clear() {
        entries.clear();
    }
}
