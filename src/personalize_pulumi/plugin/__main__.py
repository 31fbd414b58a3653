"""`python -m personalize_pulumi.plugin <engine address>`: the plugin, as `pulumi-resource-personalize` starts it."""

from .server import main

if __name__ == "__main__":
    main()
