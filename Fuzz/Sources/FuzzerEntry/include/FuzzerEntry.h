// Glue so SwiftPM can link a libFuzzer harness: see FuzzerEntry.c.
#pragma once
