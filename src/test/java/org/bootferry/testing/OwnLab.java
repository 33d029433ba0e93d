package org.bootferry.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.ResourceLocksProvider;

/**
 * A test class that boots virtual machines in a lab of its own: namespaces, links and a work
 * directory named by the class, a bootferry and a site DHCP server in processes of their own. Such a
 * class runs beside the rest of the suite and beside one other such class (the parallelism in
 * junit-platform.properties), its own tests one after another. QEMU without KVM runs a guest's CPU on
 * one host thread and the test JVM only waits for it, so on CI's two cores two labs at once take
 * little more than one, where one after another they were half the suite's time.
 *
 * <p>A class that carries this shares nothing writable with any other class, except the test cache
 * (Debian's packages, kernels, busybox), whose makers hold a lock while they fill it.
 *
 * <p>The labs start longest first ({@link LongestLabsFirst}): the second thread takes the longest at
 * once, beside the rest of the suite, and the first takes the shortest when the rest is done, so the
 * two end close together.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag("e2e")
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(providers = OwnLab.ItsOwnLock.class)
public @interface OwnLab {

    /**
     * About how long the class takes on 2 cores beside another lab (measured at a load of about 10,
     * so longer than on a quiet CI machine); it only orders the labs.
     */
    int seconds();

    /**
     * A lock named by the class alone: no other class ever waits on it, but JUnit runs the tests
     * under a locked class on that class's thread, one at a time, as they share its lab.
     */
    final class ItsOwnLock implements ResourceLocksProvider {
        @Override
        public Set<Lock> provideForClass(Class<?> testClass) {
            return Set.of(new Lock("bootferry.lab:" + testClass.getName()));
        }
    }
}
