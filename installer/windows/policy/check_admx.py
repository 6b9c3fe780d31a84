#!/usr/bin/env python3
"""check_admx.py ADMX ADML REGISTRY_SOURCE - the Group Policy template against
the code that reads it: well-formed XML, every string and presentation the
ADMX names is in the ADML, every policy writes under SOFTWARE\\Policies\\ProcGuard,
the value names are exactly those ManagedRegistry.cpp reads, and each enum
offers exactly the values ManagedPolicy.cpp accepts. Prints one line per check
and 'N passed, N failed'."""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
ACCEPTED = {
    "Mode": {"monitor", "prompt", "lockdown"},
    "DefaultVerdict": {"allow", "block"},
    "LocalRules": {"any", "block-only", "none"},
}

admx_path, adml_path, source_path = sys.argv[1:4]
passed = failed = 0


def check(what, ok):
    global passed, failed
    print(("[ PASS ] " if ok else "[ FAIL ] ") + what)
    if ok:
        passed += 1
    else:
        failed += 1


admx = ET.parse(admx_path).getroot()
adml = ET.parse(adml_path).getroot()
admx_text = open(admx_path, encoding="utf-8").read()
strings = {s.get("id") for s in adml.iter(NS + "string")}
presentations = {p.get("id") for p in adml.iter(NS + "presentation")}
check("every $(string.X) is in the ADML",
      set(re.findall(r"\$\(string\.(\w+)\)", admx_text)) <= strings)
check("every $(presentation.X) is in the ADML",
      set(re.findall(r"\$\(presentation\.(\w+)\)", admx_text)) <= presentations)

policies = list(admx.iter(NS + "policy"))
check("every policy writes under SOFTWARE\\Policies\\ProcGuard",
      all(p.get("key") == "SOFTWARE\\Policies\\ProcGuard" for p in policies))
check("every policy is a machine policy", all(p.get("class") == "Machine" for p in policies))

value_names = set()
for p in policies:
    for el in p.find(NS + "elements"):
        value_names.add(el.get("valueName"))
        if el.tag == NS + "enum":
            offered = {v.text for v in el.iter(NS + "string")}
            check(f"{el.get('valueName')} offers exactly what the code accepts",
                  offered == ACCEPTED.get(el.get("valueName"), set()))
        if el.get("valueName") == "Policy":
            check("Policy is a multi-line text (REG_MULTI_SZ)", el.tag == NS + "multiText")

source = open(source_path, encoding="utf-8").read()
read = set(re.findall(r'readValue\(key, L"(\w+)"\)', source))
check(f"value names {sorted(value_names)} are the ones the code reads {sorted(read)}",
      value_names == read and len(read) == 4)
check("the code reads the same key", 'L"SOFTWARE\\\\Policies\\\\ProcGuard"' in source)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
