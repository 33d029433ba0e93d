package org.bootferry.cli;

import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Arguments parsed while picocli parses, so a malformed one is a usage error (exit 2), not a stack trace. */
final class Converters {

    private Converters() {
    }

    static final class Mac implements ITypeConverter<MacAddress> {
        @Override
        public MacAddress convert(String value) {
            try {
                return MacAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class FirmwareKind implements ITypeConverter<Firmware> {
        @Override
        public Firmware convert(String value) {
            return Firmware.byId(value).orElseThrow(() ->
                    new TypeConversionException("unknown firmware '" + value + "' (known: " + Firmware.ids() + ")"));
        }
    }
}
