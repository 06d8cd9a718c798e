// The service's OpenAPI description, served at GET /api/openapi.json.
#pragma once

#include <string_view>

namespace meal::service {

// docs/openapi.yaml as compact JSON, converted when the service is built.
std::string_view OpenApiJson();

}  // namespace meal::service
