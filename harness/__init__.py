"""Drivers for tests, the main job and benchmarks: the real dynamic-provider host over gRPC (`dynamic_host`), the real
Pulumi engine through the Automation API (`automation`), and programs under the SDK's mocks (`program`)."""
