package io.etcdjava.testing.check;

/** A broken guarantee found by a checker: which checker, about what, and why. */
public record Violation(String checker, String subject, String detail) {
    @Override
    public String toString() {
        return checker + " [" + subject + "]: " + detail;
    }
}
