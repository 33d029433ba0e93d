# bootferry container image. Run it with host networking: ProxyDHCP needs the boot network's
# broadcasts, which a bridged container network never sees.
#   docker build -t bootferry .
#   docker run --network host -v $PWD/config:/etc/bootferry:ro -v bootferry-cache:/var/cache/bootferry bootferry
FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
# Debian/Ubuntu's ipxe package: undionly.kpxe, ipxe.efi and snp.efi, found under /usr/lib/ipxe.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ipxe \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/bootferry.jar /opt/bootferry/bootferry.jar
COPY config /etc/bootferry
COPY tftproot /srv/bootferry-tftproot
EXPOSE 67/udp 69/udp 4011/udp 8080/tcp
VOLUME /var/cache/bootferry
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/bootferry/bootferry.jar"]
CMD ["serve", "--config", "/etc/bootferry", "--tftp-root", "/srv/bootferry-tftproot", "--cache", "/var/cache/bootferry"]
