package org.bootferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.bootferry.machine.UnidentifiedClient;
import org.junit.jupiter.api.Test;

class UnidentifiedLogTest {

    private static UnidentifiedClient.Sighting sighting(String duid, long second) {
        return new UnidentifiedClient.Sighting(duid, "DUID-UUID (type 4)", "fd42::18b", "br0",
                Instant.ofEpochSecond(second), List.of("the client's DUID (a DUID-LL or DUID-LLT): a DUID-UUID"));
    }

    @Test
    void aClientsRequestsAreCountedUnderItsDuidTheNewestFirst() {
        UnidentifiedLog log = new UnidentifiedLog(4);
        log.saw(sighting("0004aa", 1));
        log.saw(sighting("0004bb", 2));
        log.saw(sighting("0004aa", 3));

        List<UnidentifiedClient> clients = log.clients();
        assertThat(clients).extracting(UnidentifiedClient::duid).containsExactly("0004aa", "0004bb");
        assertThat(clients.get(0).requests()).isEqualTo(2);
        assertThat(clients.get(0).firstSeen()).isEqualTo(Instant.ofEpochSecond(1));
        assertThat(clients.get(0).latest().time()).isEqualTo(Instant.ofEpochSecond(3));
        assertThat(clients.get(0).duidLine()).isEqualTo("duid: 0004aa");
    }

    @Test
    void pastItsCapacityTheLongestUnseenIsDroppedAndCountedAndAnAnsweredOneLeaves() {
        UnidentifiedLog log = new UnidentifiedLog(2);
        log.saw(sighting("0004aa", 1));
        log.saw(sighting("0004bb", 2));
        log.saw(sighting("0004aa", 3));
        log.saw(sighting("0004cc", 4));

        assertThat(log.clients()).extracting(UnidentifiedClient::duid).containsExactly("0004cc", "0004aa");
        assertThat(log.dropped()).isEqualTo(1);
        log.identified("0004aa");
        assertThat(log.clients()).extracting(UnidentifiedClient::duid).containsExactly("0004cc");
        assertThatThrownBy(() -> new UnidentifiedLog(0)).hasMessageContaining("at least 1");
    }
}
