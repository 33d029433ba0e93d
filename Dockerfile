# bootferry's container image: the jar `mvn package` built, Debian's JRE 17 and iPXE loaders, run as
# an unprivileged user with boot-once state and the image cache on volumes. README.md ("Container")
# has the commands; ContainerIT runs them.
#
# The jar is copied from target/, not built in a stage of this file: it is one file for amd64 and
# arm64 (it carries both architectures' natives), and the image build then needs Debian's mirror
# only, not Maven's. BASE: any Debian bookworm image (a registry mirror's, or one made with
# debootstrap as ContainerIT makes it).
ARG BASE=docker.io/library/debian:bookworm-slim
FROM ${BASE}
ARG BASE
# The version of the jar (pom.xml); ContainerIT checks the two agree.
ARG VERSION=0.1.0-SNAPSHOT
LABEL org.opencontainers.image.title="bootferry" \
      org.opencontainers.image.description="Network boot server: ProxyDHCP, TFTP and HTTP keyed by MAC, kernels from OCI images" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.base.name="${BASE}"

# Debian's JRE (built for amd64 and arm64 alike) and its x86 iPXE loaders under /usr/lib/ipxe, the
# tftpRoot's fallback; iproute2's ip, which reads the IPv6 neighbour table for DHCPv6 and TFTP
# clients that show no MAC (journal/Ipv6Neighbours). The JRE's install links man pages into /usr/share/man/man1, which the slim
# images leave out: without the directory the install fails.
#
# java carries cap_net_bind_service as a file capability: Kubernetes (and Docker) give an added
# capability to a non-root process only that way (podman also makes it ambient). A binary with file
# capabilities runs in secure-execution mode, where the loader ignores java's $ORIGIN run path, so
# its libjli directory goes into ld.so.conf.
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless ipxe iproute2 libcap2-bin \
    && java="$(readlink -f /usr/bin/java)" \
    && setcap cap_net_bind_service=+ep "$java" \
    && echo "$(dirname "$(dirname "$java")")/lib" > /etc/ld.so.conf.d/bootferry-java.conf \
    && ldconfig \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid: runtimes can check it is not root (Kubernetes' runAsNonRoot), and a host
# directory given as a volume can be chowned to it.
RUN groupadd --gid 10001 bootferry \
    && useradd --uid 10001 --gid bootferry --home-dir /var/lib/bootferry --no-create-home \
        --shell /usr/sbin/nologin bootferry \
    && install -d -o bootferry -g bootferry /var/lib/bootferry /var/cache/bootferry

COPY target/bootferry.jar /opt/bootferry/bootferry.jar
COPY scripts/cds-archive.sh /opt/bootferry/cds-archive.sh
# Class-data sharing: the server starts in about half the time (scripts/cds-archive.sh).
RUN bash /opt/bootferry/cds-archive.sh /opt/bootferry/bootferry.jar /opt/bootferry/bootferry.jsa
COPY config /etc/bootferry
COPY tftproot /srv/bootferry-tftproot
# Every command (serve, explain, reset, pull) finds the installed paths; flags still win.
ENV BOOTFERRY_CONFIG=/etc/bootferry \
    BOOTFERRY_STATE=/var/lib/bootferry \
    BOOTFERRY_CACHE=/var/cache/bootferry \
    BOOTFERRY_TFTP_ROOT=/srv/bootferry-tftproot
VOLUME ["/var/lib/bootferry", "/var/cache/bootferry"]
USER 10001:10001
EXPOSE 67/udp 69/udp 4011/udp 8080/tcp
ENTRYPOINT ["java", "-Xmx384m", "-XX:+ExitOnOutOfMemoryError", "-XX:SharedArchiveFile=/opt/bootferry/bootferry.jsa", \
            "-jar", "/opt/bootferry/bootferry.jar"]
CMD ["serve"]
