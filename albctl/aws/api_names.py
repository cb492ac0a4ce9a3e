"""ELBv2 API spellings shared by the code that reads AWS (live) and the code that writes it (apply)."""

# a rule condition's field → the key of its configuration object in the ELBv2 API
CONDITION_CONFIGS = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-header": "HttpHeaderConfig",
    "http-request-method": "HttpRequestMethodConfig",
    "query-string": "QueryStringConfig",
    "source-ip": "SourceIpConfig",
}
