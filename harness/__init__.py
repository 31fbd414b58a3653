"""Run the example stack without the Pulumi CLI: the program under the SDK's mocks, resources through the real dynamic host."""
