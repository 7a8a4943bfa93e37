// The schema, one logical design written for each database, as numbered migrations. A
// database records the last migration applied; one newer than this binary knows is refused.
#pragma once

#include <span>

namespace parley::store {

struct Migration {
  int version;
  const char* description;
  const char* sqlite;
  const char* postgres;
};

std::span<const Migration> migrations();
int latest_schema_version();

}  // namespace parley::store
