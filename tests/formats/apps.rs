//! Application loggers.

use serde_json::json;

use super::{assert_fields, event};

#[test]
fn serilog_compact_renders_the_template() {
    // Serilog.AspNetCore's request log in CLEF, with a colon request id.
    let line = r#"{"@t":"2026-05-14T10:00:00.1234567Z","@mt":"HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms","@r":["46.1230"],"@l":"Error","@tr":"4bf92f3577b34da6a3ce929d0e0e4736","@sp":"00f067aa0ba902b7","RequestMethod":"POST","RequestPath":"/v1/bookings","StatusCode":500,"Elapsed":46.123,"SourceContext":"Serilog.AspNetCore.RequestLoggingMiddleware","RequestId":"0HLVPJD8N8PG5:00000001","ConnectionId":"0HLVPJD8N8PG5","Application":"Bookings.Api"}"#;
    assert_fields(
        line,
        json!({"format": "serilog", "ts": "2026-05-14T10:00:00.123Z", "status": 500,
            "code": "http_500", "request_id": "0HLVPJD8N8PG5:00000001", "method": "POST",
            "path": "/v1/bookings", "latency_ms": 46.123, "service": "Bookings.Api",
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            "message": "HTTP POST /v1/bookings responded 500 in 46.123 ms"}),
    );
}

#[test]
fn serilog_compact_rendered_message_and_exception() {
    let with_m = r#"{"@t":"2026-05-14T10:00:01Z","@m":"Charge declined for order o_1","@i":"a1b2c3d4","@l":"Warning","OrderId":"o_1"}"#;
    assert_fields(
        with_m,
        json!({"format": "serilog", "ts": "2026-05-14T10:00:01.000Z",
            "message": "Charge declined for order o_1"}),
    );
    let only_x = r#"{"@t":"2026-05-14T10:00:02Z","@l":"Error","@x":"System.TimeoutException: The operation has timed out.\n   at Bookings.Api.Pay()"}"#;
    assert_fields(
        only_x,
        json!({"format": "serilog", "ts": "2026-05-14T10:00:02.000Z",
            "message": "System.TimeoutException: The operation has timed out."}),
    );
}

#[test]
fn serilog_json_formatter() {
    let line = r#"{"Timestamp":"2026-05-14T12:00:00.1230000+02:00","Level":"Error","MessageTemplate":"Payment {PaymentId} failed","RenderedMessage":"Payment \"pay_42\" failed","Exception":"System.InvalidOperationException: nope","Properties":{"PaymentId":"pay_42","RequestId":"0HLVPJD8N8PG6:00000002","StatusCode":402,"RequestPath":"/v1/pay","RequestMethod":"POST","Elapsed":46.5}}"#;
    assert_fields(
        line,
        json!({"format": "serilog-json", "ts": "2026-05-14T10:00:00.123Z", "status": 402,
            "code": "http_402", "request_id": "0HLVPJD8N8PG6:00000002", "method": "POST",
            "path": "/v1/pay", "latency_ms": 46.5, "message": "Payment \"pay_42\" failed"}),
    );
}

#[test]
fn dotnet_json_console_reads_state_and_scopes() {
    let line = r#"{"Timestamp":"2026-05-14T10:00:00.123Z","EventId":2,"LogLevel":"Information","Category":"Microsoft.AspNetCore.Hosting.Diagnostics","Message":"Request finished HTTP/1.1 POST http://localhost:5000/v1/bookings - 409 - application/json 46.1000ms","State":{"Message":"Request finished HTTP/1.1 POST http://localhost:5000/v1/bookings - 409 - application/json 46.1000ms","ElapsedMilliseconds":46.1,"StatusCode":409,"ContentType":"application/json","Protocol":"HTTP/1.1","Method":"POST","Scheme":"http","Host":"localhost:5000","Path":"/v1/bookings","{OriginalFormat}":"Request finished {Protocol} {Method} {Scheme}://{Host}{PathBase}{Path}{QueryString} - {StatusCode} {ContentLength} {ContentType} {ElapsedMilliseconds}ms"},"Scopes":[{"Message":"SpanId:00f067aa0ba902b7, TraceId:4bf92f3577b34da6a3ce929d0e0e4736, ParentId:0000000000000000","SpanId":"00f067aa0ba902b7","TraceId":"4bf92f3577b34da6a3ce929d0e0e4736","ParentId":"0000000000000000"},{"Message":"ConnectionId:0HLVPJD8N8PG5","ConnectionId":"0HLVPJD8N8PG5"},{"Message":"RequestPath:/v1/bookings RequestId:0HLVPJD8N8PG5:00000003","RequestId":"0HLVPJD8N8PG5:00000003","RequestPath":"/v1/bookings"}]}"#;
    assert_fields(
        line,
        json!({"format": "dotnet", "ts": "2026-05-14T10:00:00.123Z", "status": 409,
            "code": "http_409", "request_id": "0HLVPJD8N8PG5:00000003", "method": "POST",
            "path": "/v1/bookings", "latency_ms": 46.1,
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            "message": "Request finished HTTP/1.1 POST http://localhost:5000/v1/bookings - 409 - application/json 46.1000ms"}),
    );
}

#[test]
fn pino_http_with_an_error() {
    let line = r#"{"level":50,"time":1778752800123,"pid":657,"hostname":"web-1","reqId":"req-7","req":{"id":"req-7","method":"POST","url":"/v1/bookings?x=1","headers":{"host":"api.example.com"},"remoteAddress":"::1","remotePort":5000},"res":{"statusCode":500,"headers":{}},"err":{"type":"Error","message":"connect ECONNREFUSED 10.0.0.5:5432","stack":"Error: connect ECONNREFUSED 10.0.0.5:5432\n    at TCPConnectWrap","code":"ECONNREFUSED"},"responseTime":46.5,"msg":"request errored"}"#;
    assert_fields(
        line,
        json!({"format": "pino", "ts": "2026-05-14T10:00:00.123Z", "status": 500,
            "code": "ECONNREFUSED", "request_id": "req-7", "method": "POST",
            "path": "/v1/bookings", "latency_ms": 46.5,
            "message": "connect ECONNREFUSED 10.0.0.5:5432"}),
    );
    let ok = r#"{"level":30,"time":1778752801000,"pid":657,"hostname":"web-1","req":{"id":42,"method":"GET","url":"/v1/slots"},"res":{"statusCode":200},"responseTime":3,"msg":"request completed"}"#;
    assert_fields(
        ok,
        json!({"format": "pino", "ts": "2026-05-14T10:00:01.000Z", "status": 200,
            "request_id": "42", "method": "GET", "path": "/v1/slots", "latency_ms": 3.0,
            "message": "request completed"}),
    );
}

#[test]
fn bunyan_reads_req_id_and_raw_response_headers() {
    let line = "{\"name\":\"bookings\",\"hostname\":\"web-2\",\"pid\":42,\"level\":30,\"res\":{\"statusCode\":404,\"header\":\"HTTP/1.1 404 Not Found\\r\\nX-Request-Id: bun-req-3\\r\\nContent-Type: application/json\\r\\n\\r\\n\"},\"req\":{\"method\":\"GET\",\"url\":\"/v1/slots/9?x\",\"headers\":{\"host\":\"x\"}},\"latency\":46,\"msg\":\"handled: 404\",\"time\":\"2026-05-14T10:00:00.123Z\",\"v\":0}";
    assert_fields(
        line,
        json!({"format": "bunyan", "ts": "2026-05-14T10:00:00.123Z", "status": 404,
            "code": "http_404", "request_id": "bun-req-3", "method": "GET",
            "path": "/v1/slots/9", "latency_ms": 46.0, "service": "bookings",
            "message": "handled: 404"}),
    );
    let client = r#"{"name":"bookings","hostname":"web-2","pid":42,"level":40,"client_req":{"method":"POST","url":"/v1/charge","headers":{}},"client_res":{"statusCode":503,"headers":{"x-request-id":"upstream-req-5"}},"err":{"message":"upstream unavailable","name":"ServiceUnavailableError","stack":"ServiceUnavailableError: upstream unavailable\n at x"},"msg":"upstream failed","time":"2026-05-14T10:00:00.5Z","v":0}"#;
    assert_fields(
        client,
        json!({"format": "bunyan", "ts": "2026-05-14T10:00:00.500Z", "status": 503,
            "code": "http_503", "request_id": "upstream-req-5", "method": "POST",
            "path": "/v1/charge", "service": "bookings", "message": "upstream unavailable"}),
    );
}

#[test]
fn zap_seconds_for_time_and_durations() {
    let line = r#"{"level":"error","ts":1778752800.123,"caller":"api/handler.go:42","msg":"charge failed","request_id":"zap-req-1","status":502,"latency":0.046,"error":"dial tcp: i/o timeout","logger":"payments"}"#;
    assert_fields(
        line,
        json!({"format": "zap", "ts": "2026-05-14T10:00:00.123Z", "status": 502,
            "code": "http_502", "request_id": "zap-req-1", "latency_ms": 46.0,
            "service": "payments", "message": "charge failed"}),
    );
}

#[test]
fn slog_and_logrus_messages_under_msg() {
    let slog = r#"{"time":"2026-05-14T10:00:00.123456789Z","level":"ERROR","msg":"booking failed: slot lock timeout","request_id":"slog-1","status":503}"#;
    assert_fields(
        slog,
        json!({"format": "slog", "ts": "2026-05-14T10:00:00.123Z", "status": 503,
            "code": "http_503", "request_id": "slog-1",
            "message": "booking failed: slot lock timeout"}),
    );
    let logrus = r#"{"level":"warning","msg":"retrying charge","time":"2026-05-14T10:00:00+02:00","requestId":"lr-9"}"#;
    assert_fields(
        logrus,
        json!({"format": "slog", "ts": "2026-05-14T08:00:00.000Z", "request_id": "lr-9",
            "message": "retrying charge"}),
    );
}

#[test]
fn structlog_event_is_the_message() {
    let line = r#"{"event":"payment declined","level":"error","timestamp":"2026-05-14T10:00:00.123Z","request_id":"sl-1","status":402,"logger":"payments"}"#;
    assert_fields(
        line,
        json!({"format": "structlog", "ts": "2026-05-14T10:00:00.123Z", "status": 402,
            "code": "http_402", "request_id": "sl-1", "service": "payments",
            "message": "payment declined"}),
    );
    // ECS's `event` is an object: not structlog.
    let ecs = r#"{"@timestamp":"2026-05-14T10:00:00Z","event":{"duration":46000000},"level":"info","message":"ok"}"#;
    assert_ne!(event(ecs).format.as_deref(), Some("structlog"));
}

#[test]
fn python_json_logger_logback_log4j2_gelf_monolog_lograge() {
    let py = r#"{"asctime":"2026-05-14 10:00:00,123","levelname":"ERROR","name":"payments","message":"charge failed","request_id":"py-1","exc_info":"Traceback (most recent call last):\n  File x"}"#;
    assert_fields(
        py,
        json!({"format": "python", "ts": "2026-05-14T10:00:00.123Z", "request_id": "py-1",
            "service": "payments", "message": "charge failed"}),
    );
    let logback = r#"{"@timestamp":"2026-05-14T10:00:00.123+00:00","@version":"1","message":"Slot lock timed out","logger_name":"com.example.Bookings","thread_name":"http-nio-8080-exec-1","level":"ERROR","level_value":40000,"requestId":"lb-1","stack_trace":"java.util.concurrent.TimeoutException\n\tat x"}"#;
    assert_fields(
        logback,
        json!({"format": "logback", "ts": "2026-05-14T10:00:00.123Z", "request_id": "lb-1",
            "message": "Slot lock timed out"}),
    );
    let log4j = r#"{"instant":{"epochSecond":1778752800,"nanoOfSecond":123000000},"thread":"main","level":"ERROR","loggerName":"com.example.Pay","message":"charge failed","endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","contextMap":{"requestId":"l4j-1"},"threadId":1}"#;
    assert_fields(
        log4j,
        json!({"format": "log4j2", "ts": "2026-05-14T10:00:00.000Z", "request_id": "l4j-1",
            "message": "charge failed"}),
    );
    let gelf = r#"{"version":"1.1","host":"web-3","short_message":"upstream timeout","timestamp":1778752800.123,"level":3,"_request_id":"gelf-1","_status":504}"#;
    assert_fields(
        gelf,
        json!({"format": "gelf", "ts": "2026-05-14T10:00:00.123Z", "request_id": "gelf-1",
            "status": 504, "code": "http_504", "service": "web-3",
            "message": "upstream timeout"}),
    );
    let monolog = r#"{"message":"Payment refused","context":{"status":402},"level":400,"level_name":"ERROR","channel":"payments","datetime":"2026-05-14T10:00:00.123456+00:00","extra":{"request_id":"mono-1"}}"#;
    assert_fields(
        monolog,
        json!({"format": "monolog", "ts": "2026-05-14T10:00:00.123Z", "request_id": "mono-1",
            "status": 402, "code": "http_402", "service": "payments",
            "message": "Payment refused"}),
    );
    let lograge = r#"{"method":"POST","path":"/v1/bookings","format":"json","controller":"BookingsController","action":"create","status":422,"duration":46.33,"view":0.0,"db":12.1,"request_id":"rails-1","time":"2026-05-14T10:00:00.123Z"}"#;
    assert_fields(
        lograge,
        json!({"format": "lograge", "ts": "2026-05-14T10:00:00.123Z", "request_id": "rails-1",
            "status": 422, "code": "http_422", "method": "POST", "path": "/v1/bookings",
            "latency_ms": 46.33}),
    );
}

#[test]
fn a_generic_logger_format_keeps_the_probes_id_order() {
    // Response headers name the request before a top-level request_id
    // (DESIGN); the slog format must not change that reading.
    let line = r#"{"ts":1778549412567,"level":"info","service":"integrations","msg":"outbound call","method":"POST","url":"https://dynamodb.eu-west-1.amazonaws.com/","status_code":200,"duration_ms":32,"request_id":"c0939e91-1523-4901-b000-5be212b35d98","response_headers":[["x-amzn-RequestId","9ca55742-a9f0-436c-9f14-9b50d50129ec"]],"response":{}}"#;
    let e = event(line);
    assert_eq!(e.format.as_deref(), Some("slog"));
    assert_eq!(e.request_id, "9ca55742-a9f0-436c-9f14-9b50d50129ec");
    assert_eq!(e.message.as_deref(), Some("outbound call"));
    assert_eq!((e.status, e.latency_ms), (Some(200), Some(32.0)));
}
