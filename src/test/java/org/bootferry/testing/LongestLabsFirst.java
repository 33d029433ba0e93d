package org.bootferry.testing;

import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The suite's class order (junit-platform.properties): {@link OwnLab} classes first, longest first,
 * then the rest in the order they were found. JUnit hands the labs to its two threads from both ends
 * of that order: the idle thread takes the first, the busy one the last when it is free.
 */
public final class LongestLabsFirst implements ClassOrderer {

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparingInt(LongestLabsFirst::seconds).reversed());
    }

    private static int seconds(ClassDescriptor descriptor) {
        return descriptor.findAnnotation(OwnLab.class).map(OwnLab::seconds).orElse(-1);
    }
}
