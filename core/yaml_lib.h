/* core/yaml_lib.h: reaches libyaml's own <yaml.h>, which core/yaml.h shadows because the
 * build puts core/ first on the include path. Include it as <yaml_lib.h> (angle brackets,
 * so it is found through -Icore and #include_next continues past core/). */
#include_next <yaml.h>
