(function(){
"use strict";
function data(id){var el=document.getElementById(id);
  return el?JSON.parse(el.textContent):null;}
function text(v){return v===null||v===undefined?"":String(v);}
function el(tag,attrs,kids){var n=document.createElement(tag);
  if(attrs){for(var k in attrs){
    if(k==="text"){n.textContent=attrs[k];}else{n.setAttribute(k,attrs[k]);}}}
  (kids||[]).forEach(function(c){n.appendChild(c);});return n;}
function table(root,spec){
  var rows=spec.rows,cols=spec.columns,page=0,size=spec.size||100,sortDir=spec.dir||-1,
      sortCol=cols.findIndex(function(c){return c.key===spec.sort;});
  if(sortCol<0){sortCol=null;}
  var hay=rows.map(function(r){return r.map(text).join(" ").toLowerCase();});
  var q=root.querySelector("input[type=search]"),
      body=root.querySelector("tbody"),head=root.querySelector("thead tr"),
      info=root.querySelector(".info"),prev=root.querySelector(".prev"),
      next=root.querySelector(".next");
  var filters=(spec.filters||[]).map(function(f){
    return {el:root.querySelector(f.select),key:f.key};}).filter(function(f){return f.el;});
  var shown=[];
  head.replaceChildren();
  cols.forEach(function(c,i){
    var b=el("button",{type:"button",text:c.label});
    var th=el("th",{scope:"col","aria-sort":"none"},[b]);if(c.num){th.className="n";}
    b.addEventListener("click",function(){
      if(sortCol===i){sortDir=-sortDir;}else{sortCol=i;sortDir=c.num?-1:1;}
      page=0;apply();});
    head.appendChild(th);});
  function compare(k){return function(a,b){var x=rows[a][k],y=rows[b][k];
    if(x===y){return a-b;}
    if(x===null||x===undefined){return 1;}if(y===null||y===undefined){return -1;}
    return (x<y?-1:1)*sortDir;};}
  function apply(){
    var needle=q?q.value.trim().toLowerCase():"";
    var want=filters.map(function(f){return f.el.value;});
    shown=[];
    outer:for(var i=0;i<rows.length;i++){
      for(var j=0;j<filters.length;j++){
        if(want[j]&&text(rows[i][filters[j].key])!==want[j]){continue outer;}}
      if(needle&&hay[i].indexOf(needle)<0){continue;}
      shown.push(i);}
    if(sortCol!==null){shown.sort(compare(cols[sortCol].key));}
    Array.prototype.forEach.call(head.children,function(th,i){
      th.setAttribute("aria-sort",
        i===sortCol?(sortDir>0?"ascending":"descending"):"none");});
    page=Math.min(page,Math.max(0,Math.ceil(shown.length/size)-1));draw();}
  function draw(){
    var frag=document.createDocumentFragment(),start=page*size,
        end=Math.min(shown.length,start+size);
    for(var j=start;j<end;j++){var r=rows[shown[j]],tr=document.createElement("tr");
      cols.forEach(function(c){var td=document.createElement("td");
        td.setAttribute("data-label",c.label);
        if(c.num){td.className="n";}
        if(c.render){c.render(td,r);}else{td.textContent=text(r[c.key]);}
        tr.appendChild(td);});
      frag.appendChild(tr);}
    body.replaceChildren(frag);
    var all=rows.length.toLocaleString();
    info.textContent=shown.length?("Showing "+(start+1).toLocaleString()+"–"+
      end.toLocaleString()+" of "+shown.length.toLocaleString()+
      (shown.length!==rows.length?" matching (of "+all+")":"")):"Nothing matches.";
    prev.disabled=page===0;next.disabled=end>=shown.length;}
  if(q){q.addEventListener("input",function(){page=0;apply();});}
  filters.forEach(function(f){f.el.addEventListener("change",function(){page=0;apply();});});
  prev.addEventListener("click",function(){page=Math.max(0,page-1);draw();});
  next.addEventListener("click",function(){page=page+1;draw();});
  Array.prototype.forEach.call(root.querySelectorAll("[hidden]"),function(n){
    n.hidden=false;});
  Array.prototype.forEach.call(root.querySelectorAll(".static-note"),function(n){
    n.hidden=true;});
  apply();root.setAttribute("data-ready",String(rows.length));}
function status(td,v){td.textContent=text(v);td.className="s-"+text(v);}
function na(td,why){td.textContent="n/a";td.className="na";td.title=why;}
function index(names){return names.reduce(function(o,n,i){o[n]=i;return o;},{});}
var b=data("data-breaches");
if(b){var cites=b.cites,C=index(b.columns);
  table(document.getElementById("breach-table"),{
    rows:b.rows,sort:C.days_late,dir:-1,filters:[
      {select:"#breach-rule",key:C.rule},{select:"#breach-team",key:C.team},
      {select:"#breach-worker",key:C.worker},{select:"#breach-status",key:C.status}],
    columns:[
    {label:"Rule",key:C.rule,render:function(td,r){td.className="rule";
      td.appendChild(el("strong",{text:r[C.rule]}));
      var t=(r[C.override]&&b.titles[r[C.rule]+"\u001f"+r[C.override]])||b.titles[r[C.rule]];
      if(t){td.appendChild(el("small",{text:t.slice(r[C.rule].length+1)}));}}},
    {label:"Child",key:C.child},{label:"Ref",key:C.ref},
    {label:"Clock started",key:C.anchor},{label:"Due",key:C.due},
    {label:"Done",key:C.done},
    {label:"Status",key:C.status,render:function(td,r){status(td,r[C.status]);}},
    {label:"Days late",key:C.days_late,num:true},
    {label:"Working days late",key:C.working_days_late,num:true},
    {label:"Team",key:C.team},{label:"Worker",key:C.worker},
    {label:"Note",key:C.note,render:function(td,r){td.className="note";
      td.textContent=text(r[C.note]);}},
    {label:"Citation",key:C.cite,render:function(td,r){var c=cites[r[C.cite]];
      td.className="wrap";
      td.appendChild(el("a",{href:c[0],rel:"noopener noreferrer",title:c[2],text:c[1]}));}}]});}
var p=data("data-permanence");
if(p){var P=index(p.columns),N=p.na;
  var reviews=function(key){return function(td,r){
    if(N.reviews){na(td,N.reviews);}else{td.textContent=text(r[key]);}};};
  table(document.getElementById("permanence-table"),{
    rows:p.rows,sort:P.due,dir:1,filters:[{select:"#perm-f",key:P.plan_text}],columns:[
    {label:"Child",key:P.child},{label:"Team",key:P.team},{label:"Worker",key:P.worker},
    {label:"IRO",key:P.iro,render:function(td,r){
      if(N.iro){na(td,N.iro);}else{td.textContent=text(r[P.iro]);}}},{label:"Looked after since",key:P.looked_after_since},
    {label:"Reviews",key:P.reviews,num:true,render:reviews(P.reviews)},
    {label:"Last review",key:P.last_review,render:reviews(P.last_review)},
    {label:"Next review due",key:P.next_review_due,render:reviews(P.next_review_due)},
    {label:"Permanence plan",key:P.plan_text,render:function(td,r){
      if(N.plan){na(td,N.plan);return;}
      td.textContent=r[P.plan_text]+(r[P.plan_date]?" ("+r[P.plan_date]+")":"");
      if(r[P.plan_text]==="no"){td.className="flag";}}},
    {label:"Due by (2nd review)",key:P.due,render:function(td,r){
      if(N.plan){na(td,N.plan);}else{td.textContent=text(r[P.due]);}}},
    {label:"LA008",key:P.status,render:function(td,r){
      if(N.plan){na(td,N.plan);}else{status(td,r[P.status]);}}}]});}
})();
