package io.tangle.microvm.provider.firecracker;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The official Firecracker v1.16.1 API definition (Swagger 2.0), copied into the test resources,
 * with swagger-request-validator checking requests against it: the method and path must exist,
 * and the body must match the schema, with no properties the schema does not name.
 */
final class ApiDefinition {

    static final String RESOURCE = "/firecracker-v1.16.1-api.yaml";

    private final OpenApiInteractionValidator validator;

    private ApiDefinition(OpenApiInteractionValidator validator) {
        this.validator = validator;
    }

    static ApiDefinition load() {
        try (InputStream input = ApiDefinition.class.getResourceAsStream(RESOURCE)) {
            if (input == null) {
                throw new IllegalStateException("test resource " + RESOURCE + " is missing");
            }
            String text = new String(input.readAllBytes(), StandardCharsets.UTF_8);
            return new ApiDefinition(OpenApiInteractionValidator.createForInlineApiSpecification(text).build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Returns one message per error the definition finds in the request, or an empty list when it is valid. */
    List<String> validate(String method, String path, Map<String, String> headers, String body) {
        SimpleRequest.Builder builder = new SimpleRequest.Builder(method, path);
        headers.forEach(builder::withHeader);
        if (body != null) {
            builder.withBody(body);
        }
        ValidationReport report = validator.validateRequest(builder.build());
        return report.getMessages().stream()
                .filter(message -> message.getLevel() == ValidationReport.Level.ERROR)
                .map(message -> message.getKey() + ": " + message.getMessage())
                .toList();
    }
}
