"""`Authorization: Api-Key <prefix>.<secret>`: looked up in the schema of the requested host
only, so a key issued by one province is unknown on every other province's host. A genuine key
that may not be used now (revoked, expired, its user's credentials changed) is refused for
every request, reads included, with a code and a message saying why (ADR 0013)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from integrations.services import ApiKeyRefused, api_key_authenticate

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, raw_key = header.partition(" ")
        if keyword != KEYWORD:
            return None
        try:
            api_key = api_key_authenticate(raw_key=raw_key.strip())
        except ApiKeyRefused as refused:
            # Revoked, expired, or its user's credentials changed (ADR 0013): say why.
            raise exceptions.AuthenticationFailed(refused.message, code=refused.code) from None
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                "Unknown API key on this host: a key works only on the hosts of the province "
                "that issued it."
            )
        return (api_key.user, api_key)

    def authenticate_header(self, request):
        return KEYWORD


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`, issued per integration client",
        }
