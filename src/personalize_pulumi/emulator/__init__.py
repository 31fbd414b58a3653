"""A local Amazon Personalize endpoint built on moto (see README: "The local emulator")."""
