package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootInterfaceTest {

    private static final BootInterface BR0 = new BootInterface("br0", List.of(v4("10.215.1.1"), v4("10.215.1.5")));

    @Test
    void theAdvertisedAddressWinsOnTheInterfaceThatOwnsIt() {
        assertThat(BR0.serverAddress(Optional.of(v4("10.215.1.5")))).isEqualTo(v4("10.215.1.5"));
    }

    @Test
    void anotherInterfacesClientsAreToldThatInterfacesFirstAddress() {
        assertThat(BR0.serverAddress(Optional.of(v4("10.215.2.1")))).isEqualTo(v4("10.215.1.1"));
        assertThat(BR0.serverAddress(Optional.empty())).isEqualTo(v4("10.215.1.1"));
    }

    @Test
    void anInterfaceWithoutIpv4AddressIsNoBootInterface() {
        assertThatThrownBy(() -> new BootInterface("eth9", List.of())).hasMessageContaining("eth9");
    }

    private static Inet4Address v4(String literal) {
        try {
            return (Inet4Address) InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
