// The committed OpenAPI 3 document of the server's routes: the one source of truth, served at
// `GET /openapi.json` and checked against the answers by PipelinesServerTests. Edit the JSON
// here (it must stay valid JSON; the tests parse it).

/// The OpenAPI document.
enum OpenAPIDocument {
    static let json = ##"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "swift-ml-pipelines prediction server",
    "version": "1.0.0",
    "description": "Predictions from the deployed model of an API endpoint (PipelinesServer, `mlpipe serve`). Every /v1 route needs `Authorization: Bearer <token>` for the endpoint named; any missing, wrong, expired or revoked token, another endpoint's token, or an unknown endpoint is answered 401 with the same body."
  },
  "servers": [{"url": "http://127.0.0.1:8080"}],
  "paths": {
    "/v1/endpoints/{name}/predictions": {
      "post": {
        "operationId": "predict",
        "summary": "Predictions of the endpoint's deployed model for one record or a batch.",
        "security": [{"bearerAuth": []}],
        "parameters": [{"$ref": "#/components/parameters/EndpointName"}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PredictionRequest"}}}
        },
        "responses": {
          "200": {"description": "One prediction per record, in order, and the model that made them.",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PredictionResponse"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/UnknownEndpoint"},
          "409": {"$ref": "#/components/responses/NothingDeployed"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "422": {"$ref": "#/components/responses/InvalidInput"},
          "503": {"$ref": "#/components/responses/StoreUnavailable"}
        }
      }
    },
    "/v1/endpoints": {
      "get": {
        "operationId": "listEndpoints",
        "summary": "The endpoint the presented token opens (a token opens one endpoint; others are never listed).",
        "security": [{"bearerAuth": []}],
        "responses": {
          "200": {"description": "The endpoint of the token.",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointList"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/StoreUnavailable"}
        }
      }
    },
    "/v1/endpoints/{name}": {
      "get": {
        "operationId": "describeEndpoint",
        "summary": "The endpoint's deployed model: id, version, feature schema, and when it was deployed.",
        "security": [{"bearerAuth": []}],
        "parameters": [{"$ref": "#/components/parameters/EndpointName"}],
        "responses": {
          "200": {"description": "The endpoint; `model` is absent while nothing is deployed.",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointDescription"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/UnknownEndpoint"},
          "503": {"$ref": "#/components/responses/StoreUnavailable"}
        }
      }
    },
    "/health": {
      "get": {
        "operationId": "health",
        "summary": "The process answers.",
        "responses": {
          "200": {"description": "Alive.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}
        }
      }
    },
    "/ready": {
      "get": {
        "operationId": "ready",
        "summary": "The store answers: the server can authorize and predict.",
        "responses": {
          "200": {"description": "Ready.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
          "503": {"$ref": "#/components/responses/StoreUnavailable"}
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openAPIDocument",
        "summary": "This document.",
        "responses": {
          "200": {"description": "The OpenAPI 3 document.", "content": {"application/json": {"schema": {"type": "object"}}}}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A token of the endpoint, created with `mlpipe tokens create --endpoint NAME`."}
    },
    "parameters": {
      "EndpointName": {
        "name": "name", "in": "path", "required": true,
        "description": "The endpoint's name: 1 to 63 lowercase letters, digits and '-', not starting with '-'.",
        "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}
      }
    },
    "responses": {
      "BadRequest": {"description": "Malformed JSON (`malformed_json`) or a body of the wrong shape (`invalid_request`, naming the record when one is at fault).",
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "No valid token: missing, malformed, wrong, expired or revoked (`unauthorized`); always the same body.",
                       "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "UnknownEndpoint": {"description": "A valid token used on an endpoint it does not open: one that does not exist or another endpoint (`unknown_endpoint`); always the same body.",
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NothingDeployed": {"description": "The endpoint has no deployed model (`nothing_deployed`).",
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "The body exceeds the byte limit (`body_too_large`, 10 MB by default) or the batch the record limit (`batch_too_large`, 10,000 by default).",
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "InvalidInput": {"description": "A record's value is missing (and not imputed), unknown to the model, null, of the wrong type or an unknown category (`invalid_input`, naming the record and the feature).",
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "StoreUnavailable": {"description": "The store cannot be reached (`store_unavailable`); try again.",
                           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "FeatureValue": {
        "description": "A feature's value: a number, a string (a category), a boolean, or null (missing: imputed when the model imputes it).",
        "nullable": true,
        "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "boolean"}]
      },
      "Record": {
        "type": "object",
        "description": "Feature name to value (see the endpoint's feature schema).",
        "additionalProperties": {"$ref": "#/components/schemas/FeatureValue"}
      },
      "PredictionRequest": {
        "type": "object",
        "description": "A batch (`records`) or one record (`record`), not both.",
        "additionalProperties": false,
        "properties": {
          "records": {"type": "array", "minItems": 1, "maxItems": 10000, "items": {"$ref": "#/components/schemas/Record"}},
          "record": {"$ref": "#/components/schemas/Record"}
        },
        "oneOf": [{"required": ["records"]}, {"required": ["record"]}]
      },
      "Label": {
        "description": "A label in its original form.",
        "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]
      },
      "Prediction": {
        "type": "object",
        "description": "A classifier's `label` and `probabilities` (by class), or a regressor's `value`.",
        "additionalProperties": false,
        "properties": {
          "label": {"$ref": "#/components/schemas/Label"},
          "probabilities": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1}},
          "value": {"type": "number"}
        }
      },
      "ModelSummary": {
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "version"],
        "properties": {
          "id": {"type": "string"},
          "version": {"type": "integer", "minimum": 1}
        }
      },
      "PredictionResponse": {
        "type": "object",
        "additionalProperties": false,
        "required": ["predictions", "model", "endpoint"],
        "properties": {
          "predictions": {"type": "array", "items": {"$ref": "#/components/schemas/Prediction"}},
          "model": {"$ref": "#/components/schemas/ModelSummary"},
          "endpoint": {"type": "string"}
        }
      },
      "FeatureSchema": {
        "type": "object",
        "additionalProperties": false,
        "required": ["features", "label", "labelType"],
        "properties": {
          "features": {
            "type": "array",
            "items": {
              "type": "object",
              "additionalProperties": false,
              "required": ["name", "type"],
              "properties": {
                "name": {"type": "string"},
                "type": {"type": "string", "enum": ["numeric", "integer", "categorical", "boolean"]}
              }
            }
          },
          "label": {"type": "string"},
          "labelType": {"type": "string", "enum": ["numeric", "integer", "categorical", "boolean"]},
          "classes": {"type": "array", "items": {"$ref": "#/components/schemas/Label"}}
        }
      },
      "DeployedModel": {
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "version", "deployedAt", "schema"],
        "properties": {
          "id": {"type": "string"},
          "version": {"type": "integer", "minimum": 1},
          "deployedAt": {"type": "string", "format": "date-time"},
          "schema": {"$ref": "#/components/schemas/FeatureSchema"}
        }
      },
      "EndpointDescription": {
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "createdAt"],
        "properties": {
          "name": {"type": "string"},
          "createdAt": {"type": "string", "format": "date-time"},
          "model": {"$ref": "#/components/schemas/DeployedModel"}
        }
      },
      "EndpointList": {
        "type": "object",
        "additionalProperties": false,
        "required": ["endpoints"],
        "properties": {
          "endpoints": {"type": "array", "items": {"$ref": "#/components/schemas/EndpointDescription"}}
        }
      },
      "Status": {
        "type": "object",
        "additionalProperties": false,
        "required": ["status"],
        "properties": {
          "status": {"type": "string", "enum": ["ok", "ready"]}
        }
      },
      "Error": {
        "type": "object",
        "additionalProperties": false,
        "required": ["error"],
        "properties": {
          "error": {
            "type": "object",
            "additionalProperties": false,
            "required": ["code", "message"],
            "properties": {
              "code": {"type": "string", "enum": ["unauthorized", "unknown_endpoint", "malformed_json", "invalid_request", "nothing_deployed",
                                                   "body_too_large", "batch_too_large", "invalid_input", "store_unavailable",
                                                   "not_found", "method_not_allowed", "internal"]},
              "message": {"type": "string"},
              "record": {"type": "integer", "minimum": 0},
              "feature": {"type": "string"}
            }
          }
        }
      }
    }
  }
}
"""##
}
