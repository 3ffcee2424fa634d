package io.switchboard.admin;

import java.util.List;
import java.util.Map;

/**
 * One admin request, copied out of Netty's buffers so that it can be handled on the admin worker.
 *
 * @param path the decoded path without the query
 * @param authorization the Authorization header, or null
 * @param host the Host header, or null
 * @param contentType the Content-Type header, or null
 * @param loopbackClient whether the peer address is a loopback address
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, String authorization, String host,
                         String contentType, byte[] body, boolean loopbackClient) {
    public ApiRequest {
        query = Map.copyOf(query);
        body = body == null ? new byte[0] : body;
    }

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Whether this request would change something (anything but GET and HEAD). */
    public boolean isChange() {
        return !method.equals("GET") && !method.equals("HEAD");
    }
}
