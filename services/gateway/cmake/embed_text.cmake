# Turns a text file into a C++ function returning it: cmake -DINPUT=... -DOUTPUT=... -DFUNCTION=... -P this.
# Runs at build time, so editing the input rebuilds the function without re-running configure.
file(READ "${INPUT}" content)
set(delimiter "embedded_text")
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${delimiter}\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated at build time from ${INPUT}. Do not edit.\n"
  "#include <string_view>\n\n"
  "namespace messenger::gateway {\n\n"
  "std::string_view ${FUNCTION}() {\n"
  "  static constexpr char kText[] = R\"${delimiter}(${content})${delimiter}\";\n"
  "  return std::string_view(kText, sizeof kText - 1);\n"
  "}\n\n"
  "}  // namespace messenger::gateway\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
