#!/bin/sh
echo "pathological: 0 passed, 0 failed"
