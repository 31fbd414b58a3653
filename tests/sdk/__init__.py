"""Tests of the generated SDKs (sdk/) and of programs in TypeScript and Go that use them on the real engine."""
