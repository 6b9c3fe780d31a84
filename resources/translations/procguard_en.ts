<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>LearnProposalsDialog</name>
    <message numerus="yes">
        <source>%n proposed rules for %1.</source>
        <extracomment>%1 is a number of programs (&quot;5 programs&quot;), translated on its own</extracomment>
        <translation>
            <numerusform>%n proposed rule for %1.</numerusform>
            <numerusform>%n proposed rules for %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n programs</source>
        <translation>
            <numerusform>%n program</numerusform>
            <numerusform>%n programs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Added %n rules; press &quot;Apply to the kernel component&quot; to use them.</source>
        <translation>
            <numerusform>Added %n rule; press &quot;Apply to the kernel component&quot; to use it.</numerusform>
            <numerusform>Added %n rules; press &quot;Apply to the kernel component&quot; to use them.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>, %n rules</source>
        <translation>
            <numerusform>, %n rule</numerusform>
            <numerusform>, %n rules</numerusform>
        </translation>
    </message>
</context>
</TS>
