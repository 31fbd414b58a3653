"""The error codes Amazon Personalize returns, as moto JSON errors (HTTP 400, AWS JSON 1.1 `__type`)."""

from moto.core.exceptions import JsonRESTError


class PersonalizeError(JsonRESTError):
    """Base class: the error code is the class name, as on the wire."""

    def __init__(self, message: str):
        super().__init__(type(self).__name__, message)


class InvalidInputException(PersonalizeError):
    pass


class InvalidNextTokenException(PersonalizeError):
    pass


class ResourceNotFoundException(PersonalizeError):
    def __init__(self, arn: str):
        super().__init__(f"Resource Arn {arn} does not exist.")


class ResourceAlreadyExistsException(PersonalizeError):
    pass


class ResourceInUseException(PersonalizeError):
    pass


class LimitExceededException(PersonalizeError):
    pass


class TooManyTagsException(PersonalizeError):
    pass


class TooManyTagKeysException(PersonalizeError):
    pass
